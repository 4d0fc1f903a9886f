"""gongkai: turn an agency's 双随机、一公开 exports into a static open-data portal.

The flow is one way: ``ingest`` reads files, ``validate`` checks them against the
``contract``, ``model`` holds the validated tables, and every output reads the model.
"""

__version__ = "0.2.0"
