#!/usr/bin/python3
"""The explorer page's benchmark (scripts/bench/html.sh): page size, writing time, load time and
hover latency in one headless Chromium, at 512 and 4,096 tokens. Recorded, not asserted.

usage: html_peer.py ATTNVIZ WORKDIR [REAL_512.npy]
"""
import os
import shutil
import statistics
import subprocess
import sys
import time

import numpy as np

ATTNVIZ = WORK = REAL = None  # set by main() from the command line


def realistic_heads(n, heads, seed):
    """Causal softmax heads with a first-token sink, a local band and sparse far links: weights
    mostly near 0, as real attention is (random logits would compress far worse than real data)."""
    rng = np.random.default_rng(seed)
    out = np.empty((heads, n, n), dtype=np.float32)
    i = np.arange(n)[:, None]
    j = np.arange(n)[None, :]
    for h in range(heads):
        logits = rng.normal(0, 1.0, size=(n, n)).astype(np.float32)
        logits += np.where(j == 0, 4.0, 0) + np.where((i - j >= 0) & (i - j < 3 + h % 4), 3.0, 0)
        logits[j > i] = -np.inf
        logits -= logits.max(axis=1, keepdims=True)
        np.exp(logits, out=logits)
        out[h] = logits / logits.sum(axis=1, keepdims=True)
    return out


def write_dumps():
    os.makedirs(WORK, exist_ok=True)
    dumps = {}
    if REAL and os.path.exists(REAL):
        head = np.load(REAL).astype(np.float32)  # one real 512 x 512 head, as 12 x 12 copies
        np.save(f"{WORK}/real_12x12x512.npy", np.broadcast_to(head, (12, 12, 512, 512)).copy())
        dumps["512 real head ×144"] = f"{WORK}/real_12x12x512.npy"
    np.save(f"{WORK}/synth_12x12x512.npy", realistic_heads(512, 144, 1).reshape(12, 12, 512, 512))
    dumps["512 synthetic 12×12"] = f"{WORK}/synth_12x12x512.npy"
    np.save(f"{WORK}/synth_1x4x4096.npy", realistic_heads(4096, 4, 2).reshape(1, 4, 4096, 4096))
    dumps["4096 synthetic 1×4"] = f"{WORK}/synth_1x4x4096.npy"
    return dumps


def browser():
    # Imported here: tests/html/size_budget_test.py uses realistic_heads without a browser.
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,900",
                     "--force-device-scale-factor=1"]:
        options.add_argument(argument)
    options.binary_location = shutil.which("chromium")
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)


def hover_latencies(driver, view, points):
    from selenium.webdriver.common.action_chains import ActionChains

    driver.execute_script(f"document.querySelector('[data-view={view}]').click()")
    driver.execute_async_script("window.attnviz.idle().then(arguments[0])")
    times = []
    for point_script in points:
        point = driver.execute_script(point_script)
        actions = ActionChains(driver)
        actions.w3c_actions.pointer_action.move_to_location(int(point["x"]), int(point["y"]))
        actions.perform()
        driver.execute_async_script("window.attnviz.idle().then(arguments[0])")
        times.append(driver.execute_script("return window.attnviz.state().hoverMs"))
    return [t for t in times if t is not None]


ZOOM_STEP = """
const [deltaY, done] = arguments;
const canvas = document.querySelector('#view-heatmap canvas');
const r = canvas.getBoundingClientRect();
canvas.dispatchEvent(new WheelEvent('wheel', {deltaY, clientX: r.left + 300, clientY: r.top + 300,
                                               bubbles: true, cancelable: true}));
requestAnimationFrame(() => requestAnimationFrame(() => done(window.attnviz.state().drawMs)));
"""


def zoom_redraws(driver):
    """Canvas time of each redraw while zooming in 12 wheel steps and out again (in the heatmap)."""
    driver.execute_script("document.querySelector('[data-view=heatmap]').click()")
    driver.execute_async_script("window.attnviz.idle().then(arguments[0])")
    return [driver.execute_async_script(ZOOM_STEP, delta) for delta in [-240] * 12 + [240] * 12]


def measure(driver, name, dump, options):
    page = f"{WORK}/page.html"
    started = time.monotonic()
    subprocess.run([ATTNVIZ, "html", dump, "-o", page, *options], check=True)
    write_s = time.monotonic() - started
    size = os.path.getsize(page)
    started = time.monotonic()
    driver.get("file://" + page)
    while not driver.execute_script("return !!(window.attnviz && window.attnviz.ready)"):
        time.sleep(0.01)
    load_s = time.monotonic() - started
    n = driver.execute_script("return window.attnviz.meta().queries")
    started = time.monotonic()
    driver.execute_script("document.querySelector('[data-view=heatmap]').click()")
    driver.execute_async_script("window.attnviz.idle().then(arguments[0])")
    heatmap_s = time.monotonic() - started
    rows = [int(n * f) for f in (0.1, 0.3, 0.5, 0.7, 0.9, 0.95)]
    head = hover_latencies(driver, "head", [f"return window.attnviz.tokenPoint('query', {r})" for r in rows])
    cells = hover_latencies(driver, "heatmap", [f"return window.attnviz.cellPoint({r}, {r // 2})" for r in rows])
    zoom = zoom_redraws(driver)
    print(f"| {name} | {' '.join(options) or '(defaults)'} | {size / 1e6:.2f} MB | {write_s:.2f} s | "
          f"{load_s:.2f} s | {heatmap_s:.2f} s | {statistics.median(head):.1f} ms (max {max(head):.1f}) | "
          f"{statistics.median(cells):.1f} ms (max {max(cells):.1f}) | "
          f"{statistics.median(zoom):.1f} ms (max {max(zoom):.1f}) |", flush=True)


def main():
    global ATTNVIZ, WORK, REAL
    ATTNVIZ, WORK = sys.argv[1], sys.argv[2]
    REAL = sys.argv[3] if len(sys.argv) > 3 else None
    dumps = write_dumps()
    print("| dump | options | page | write | load (ready) | first heatmap | head-view hover | "
          "heatmap hover | zoom redraw |")
    print("|---|---|---|---|---|---|---|---|---|")
    driver = browser()
    try:
        for name, dump in dumps.items():
            for options in ([], ["--bits", "16"]):
                measure(driver, name, dump, options)
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
