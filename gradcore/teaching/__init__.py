"""Teaching: the derivation step by step, its notation, and the diagnosis of hand-derived gradients."""
