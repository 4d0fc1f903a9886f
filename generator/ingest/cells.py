"""Kinds of XLSX cells that a cell's text does not tell apart (``RawTable.extra["kinds"]``).

The reader records them (readers.py); the header step reads them to accept an Excel
date serial only from a number cell and to name a formula without a saved result
(headers.py). Here, so neither imports the other.
"""

CELL_NUMBER = 1  # a number cell holding a whole number (a date serial, in a date column)
CELL_FRACTION = 2  # a number cell with a fraction
CELL_FORMULA = 3  # a formula whose result the file does not hold
