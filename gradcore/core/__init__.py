"""The core: types, errors, activations, losses, shape checks, the forward and backward passes and training."""
