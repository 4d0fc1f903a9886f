"""Per-page render cost of the enterprise pages through the build's own Renderer.

The pages are rendered in memory (nothing written), so the figure is Jinja and the
page code alone. Usage: ``python benchmarks/bench_render.py [--data FOLDER] [--rounds N]``;
without ``--data`` the committed sample data is used. Prints the median of the rounds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator.build.render import Renderer, make_environment  # noqa: E402
from generator.model import load_model  # noqa: E402
from generator.settings import load_settings  # noqa: E402
from generator.site import views  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    settings = load_settings(ROOT / "pelicanconf.py")
    model = load_model(args.data, settings)
    data = views.SiteData.from_model(model, {})
    pages = views.EnterprisePages(data)
    indices = list(range(len(pages)))
    load = getattr(pages, "load", None)
    if load is not None:
        import numpy as np

        load(np.arange(len(pages)))
    globals_ = {k: v for k, v in settings.items() if k.isupper()}  # as the build passes them
    renderer = Renderer(make_environment([ROOT / "themes/gongkai/templates"], globals_),
                        ROOT / "output", {})
    work = [(pages.path(i), pages.template, pages.context(i)) for i in indices]
    for path, template, context in work[:50]:  # compile and warm the partials
        renderer.render_one(path, template, context)
    seconds = []
    for _ in range(args.rounds):
        start = time.perf_counter()
        for path, template, context in work:
            renderer.render_one(path, template, context)
        seconds.append(time.perf_counter() - start)
    median = statistics.median(seconds)
    print(f"enterprise pages: {len(work)}, rounds: {args.rounds}")
    print(f"median: {median / len(work) * 1e6:.0f} µs/page, {len(work) / median:.0f} pages/s "
          f"(min {min(seconds) / len(work) * 1e6:.0f}, max {max(seconds) / len(work) * 1e6:.0f} µs)")


if __name__ == "__main__":
    main()
