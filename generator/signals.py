"""gongkai's own Pelican signals, beside Pelican's (``pelican.signals``).

``data_outputs_starting`` is sent by the data-page generator just before it writes
anything, with the generator as sender: every generator's context is complete by then
(Pelican has read content/ and refreshed its links), so an output that needs only the
model and that context can start there and run beside the pages. Keyword
``rerender_all``: every data page is about to be rendered again (a first build, or
templates, settings or page code changed), so the pages alone will keep every core busy.
A receiver whose stage may run beside the pages offers it
(``generator.build.beside.start_beside``); the offered stages then run in one process
beside the pages, which leave it one core.

``rule_figures_ready`` follows it, with the same sender and keyword, for outputs that
read the rule figures (``generator.rules.figures``): on a rebuild the figures are worked
out in between, once, so the process beside the pages, forked after this signal,
inherits them.
"""

from blinker import signal

data_outputs_starting = signal("gongkai_data_outputs_starting")
rule_figures_ready = signal("gongkai_rule_figures_ready")
