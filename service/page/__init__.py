"""The playground: a page that shows every number of a network's backpropagation (``GET /playground``).

Its files live in ``static/`` (the page's own scripts, named after what they show, and the vendored libraries in
``static/vendor/``, refreshed by ``scripts/vendor-page-assets``); :mod:`service.page.router` serves them.
"""
