"""The public site: data pages rendered straight from the model, inside a Pelican build.

``generator.urls`` names every page, ``views`` turns the model into page contexts (one
function per resource), ``render`` writes them in parallel and incrementally, and
``plugin`` plugs all of it into Pelican as a generator.
"""
