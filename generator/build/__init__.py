"""The build engine: what every output shares and none of them owns.

Reading order: :mod:`.inputs` decides whether anything changed at all; :mod:`.atomic`
stages a build beside the published site and swaps it in whole; :mod:`.direct_build`
gives ``pelican content`` the same staging; :mod:`.shared` knows which published files
a staged build may share. The outputs (``generator.site``, ``generator.publish``,
``generator.search``) depend on the engine, the model and the rules, never on each other.
"""
