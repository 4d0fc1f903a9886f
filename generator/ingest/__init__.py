"""Reading agency files: bytes → decoded text → raw string tables with provenance.

Nothing here judges the values; it only turns every supported file into rows of
strings that remember their file and spreadsheet row, so validation can point at them.
"""
