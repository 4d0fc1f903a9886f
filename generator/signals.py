"""gongkai's own Pelican signals, beside Pelican's (``pelican.signals``).

``data_outputs_starting`` is sent by the data-page generator just before it writes
anything, with the generator as sender: every generator's context is complete by then
(Pelican has read content/ and refreshed its links), so an output that needs only the
model and that context can start there and run beside the pages. Keyword
``rerender_all``: every data page is about to be rendered again (a first build, or
templates, settings or page code changed), so the pages alone will keep every core busy.
A receiver that starts work beside the pages adds the cores it takes to the run's
``busy_cores`` (``generator.build.context``), and the pages use the others.

``rule_figures_ready`` follows it, with the same sender and keyword, for outputs that
read the rule figures (``generator.rules.figures``): on a rebuild the figures are worked
out in between, once, so a stage forked then inherits them; a stage that needs no
figures starts on the first signal and runs while they are worked out.
"""

from blinker import signal

data_outputs_starting = signal("gongkai_data_outputs_starting")
rule_figures_ready = signal("gongkai_rule_figures_ready")
