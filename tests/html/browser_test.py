#!/usr/bin/python3
"""The explorer page in a real browser: one headless Chromium loads several generated pages.

usage: browser_test.py ATTNVIZ WORKDIR

Checks, against numpy: no console errors and no network request with networking disabled;
hovering token i in the head view draws exactly the lines of row i's top-k keys; the heatmap's
value under the pointer equals the dump's to within half a quantisation step; clicking token i in
the text view with flow chosen shades the text by `attnviz flow --json`'s row i, to within half a
step; switching layer and
head (keyboard and selectors) changes what is drawn; cross-attention pages work. Exits 77 (skip)
only when chromium or chromedriver is missing.
"""
import json
import os
import shutil
import subprocess
import sys
import time

import numpy as np

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
if not CHROMIUM or not DRIVER:
    print("SKIP: chromium or chromedriver is not installed (scripts/install-deps.sh installs them)")
    sys.exit(77)

from selenium import webdriver  # noqa: E402  (python3-selenium, from scripts/install-deps.sh)
from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.common.actions.wheel_input import ScrollOrigin  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

ATTNVIZ, WORK = sys.argv[1], sys.argv[2]
failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        failures.append(what)


def softmax_rows(logits):
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return (e / e.sum(axis=-1, keepdims=True)).astype(np.float32)


def make_fixtures():
    """A self-attention dump (2 layers x 3 heads x 40 tokens, causal) and a cross-attention one."""
    os.makedirs(WORK, exist_ok=True)
    rng = np.random.default_rng(16)
    n = 40
    logits = rng.normal(0, 2.5, size=(2, 3, n, n))
    logits[..., np.triu_indices(n, 1)[0], np.triu_indices(n, 1)[1]] = -np.inf
    self_attn = softmax_rows(logits)
    np.save(f"{WORK}/self.npy", self_attn)
    with open(f"{WORK}/self.tokens.txt", "w") as f:
        f.write("".join(f"w{i}\n" for i in range(n)))
    cross = softmax_rows(rng.normal(0, 2, size=(2, 2, 12, 7)))
    doc = {"attention": cross.tolist(), "query_tokens": [f"q{i}" for i in range(12)],
           "key_tokens": [f"k{j}" for j in range(7)], "axes": ["layer", "head", "query", "key"]}
    with open(f"{WORK}/cross.json", "w") as f:
        json.dump(doc, f)
    return self_attn, cross


def write_page(source, page, *options):
    subprocess.run([ATTNVIZ, "html", source, "-o", page, *options], check=True)
    return page


def open_browser():
    options = Options()
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1200,800",
                     "--force-device-scale-factor=1"]:
        options.add_argument(argument)
    options.binary_location = CHROMIUM
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
        "offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0})
    return driver


def load(driver, page):
    driver.get("file://" + os.path.abspath(page))
    for _ in range(200):
        if driver.execute_script("return !!(window.attnviz && window.attnviz.ready)"):
            return True
        time.sleep(0.05)
    return False


def idle(driver):
    driver.execute_async_script("window.attnviz.idle().then(arguments[0])")


def state(driver):
    return driver.execute_script("return window.attnviz.state()")


def move_to(driver, point):
    """Moves the real pointer to viewport coordinates (as a user's mouse would)."""
    actions = ActionChains(driver)
    actions.w3c_actions.pointer_action.move_to_location(int(round(point["x"])), int(round(point["y"])))
    actions.perform()
    idle(driver)


def check_page_health(driver, name):
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    check(not errors, f"{name}: no console errors {errors if errors else ''}")
    check(state(driver)["errors"] == [], f"{name}: no errors reported by the page")
    requests = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)")
    check(requests == [], f"{name}: no network request of any kind {requests}")


def choose_view(driver, view):
    driver.find_element("css selector", f'#views button[data-view="{view}"]').click()
    idle(driver)


def numpy_topk(row, k):
    order = [j for j in np.argsort(-row, kind="stable") if row[j] > 0]
    return order[:k] if k else order


def check_head_view(driver, attention, name, layer, rows, k=3):
    """Hover each query token: the drawn lines are exactly its row's top-k keys, strongest first."""
    choose_view(driver, "head")
    Select(driver.find_element("id", "topk")).select_by_value(str(k))
    idle(driver)
    s = state(driver)
    for i in rows:
        move_to(driver, driver.execute_script("return window.attnviz.tokenPoint('query', arguments[0])", i))
        s = state(driver)
        drawn = [line["key"] for line in s["lines"] if line["head"] == s["head"]]
        expected = numpy_topk(attention[layer, s["head"]][i], k)
        check(s["lineMode"] == "hover" and s["hover"] == {"side": "query", "index": i} and drawn == expected,
              f"{name}: hover query {i} of L{layer}H{s['head']} draws keys {drawn}, numpy's top-{k} {expected}")
    return s


def check_heatmap(driver, attention, name, cells, bits):
    choose_view(driver, "heatmap")
    s = state(driver)
    head = attention[s["layer"], s["head"]]
    step = next(h["scale"] for h in driver.execute_script("return window.attnviz.meta().heads")
                if h["layer"] == s["layer"] and h["head"] == s["head"])
    for (q, k) in cells:
        move_to(driver, driver.execute_script("return window.attnviz.cellPoint(arguments[0], arguments[1])", q, k))
        r = state(driver)["readout"]
        ok = r is not None and (r["query"], r["key"]) == (q, k) and abs(r["value"] - float(head[q, k])) <= step / 2 + 1e-7
        check(ok, f"{name}: heatmap at ({q}, {k}) reads {r and r['value']}, numpy {float(head[q, k]):.7f}, "
                  f"{bits}-bit step {step:.3g}")


def check_zoom_and_pan(driver, attention, name):
    """Real wheel and drag input zoom and pan the heatmap; the readout stays exact afterwards."""
    choose_view(driver, "heatmap")
    s = state(driver)
    head = attention[s["layer"], s["head"]]
    canvas = driver.find_element("css selector", "#view-heatmap canvas")
    before = driver.execute_script("return window.attnviz.fingerprint()")
    point = driver.execute_script("return window.attnviz.cellPoint(30, 10)")
    rect = driver.execute_script("return arguments[0].getBoundingClientRect()", canvas)
    origin = ScrollOrigin.from_element(canvas, int(point["x"] - rect["x"] - rect["width"] / 2),
                                       int(point["y"] - rect["y"] - rect["height"] / 2))
    for _ in range(4):
        ActionChains(driver).scroll_from_origin(origin, 0, -240).perform()
        idle(driver)
    zoomed = driver.execute_script("return window.attnviz.fingerprint()")
    check(zoomed != before, f"{name}: the wheel zooms the heatmap")
    ActionChains(driver).move_to_element(canvas).click_and_hold().move_by_offset(-60, -40).release().perform()
    idle(driver)
    check(driver.execute_script("return window.attnviz.fingerprint()") != zoomed, f"{name}: dragging pans it")
    for (q, k) in [(30, 10), (31, 11)]:
        move_to(driver, driver.execute_script("return window.attnviz.cellPoint(arguments[0], arguments[1])", q, k))
        r = state(driver)["readout"]
        check(r is not None and (r["query"], r["key"]) == (q, k) and abs(r["value"] - float(head[q, k])) <= r["step"] / 2 + 1e-7,
              f"{name}: zoomed and panned, ({q}, {k}) reads {r and r['value']}, numpy {float(head[q, k]):.7f}")


def check_switching(driver, name):
    """Keyboard and selectors change the head and what the canvas shows."""
    choose_view(driver, "heatmap")
    before = state(driver)
    print_before = driver.execute_script("return window.attnviz.fingerprint()")
    driver.find_element("css selector", "body").send_keys(Keys.ARROW_RIGHT)
    idle(driver)
    after = state(driver)
    print_after = driver.execute_script("return window.attnviz.fingerprint()")
    check(after["head"] == before["head"] + 1 and print_after != print_before,
          f"{name}: → moves to head {after['head']} and the heatmap changes")
    Select(driver.find_element("id", "layer")).select_by_value("1")
    idle(driver)
    s = state(driver)
    print_layer = driver.execute_script("return window.attnviz.fingerprint()")
    check(s["layer"] == 1 and print_layer != print_after, f"{name}: the layer selector shows layer 1, redrawn")
    Select(driver.find_element("id", "head")).select_by_value("0")
    idle(driver)
    check(state(driver)["head"] == 0 and driver.execute_script("return window.attnviz.fingerprint()") != print_layer,
          f"{name}: the head selector shows head 0, redrawn")
    choose_view(driver, "head")
    head_print = driver.execute_script("return window.attnviz.fingerprint()")
    driver.find_element("css selector", "body").send_keys(Keys.ARROW_UP)
    idle(driver)
    check(state(driver)["layer"] == 0 and driver.execute_script("return window.attnviz.fingerprint()") != head_print,
          f"{name}: ↑ moves the head view to layer 0, redrawn")


def check_model_click(driver, name, layer, head):
    """Hovering a thumbnail shows its class; clicking it opens that head in the head view."""
    choose_view(driver, "model")
    move_to(driver, driver.execute_script("return window.attnviz.thumbnailPoint(arguments[0], arguments[1])",
                                          layer, head))
    tip = driver.execute_script("return document.getElementById('tooltip').textContent")
    check(f"Layer {layer} · head {head}" in tip, f"{name}: hovering thumbnail L{layer}H{head} explains it")
    ActionChains(driver).click().perform()
    idle(driver)
    s = state(driver)
    check((s["view"], s["layer"], s["head"]) == ("head", layer, head),
          f"{name}: clicking thumbnail L{layer}H{head} opens it in the head view")


def check_png(driver, name):
    """Save PNG writes the current view's canvas as a PNG file."""
    folder = os.path.abspath(f"{WORK}/downloads")
    os.makedirs(folder, exist_ok=True)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": folder})
    choose_view(driver, "heatmap")
    driver.find_element("id", "png").click()
    path = None
    for _ in range(100):
        found = [f for f in os.listdir(folder) if f.endswith(".png")]
        if found:
            path = os.path.join(folder, found[0])
            break
        time.sleep(0.05)
    ok = path is not None and open(path, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    check(ok, f"{name}: Save PNG downloads {path and os.path.basename(path)}")


def check_theme_key(driver, name):
    """d switches to the dark theme and back, redrawing the canvas in it."""
    choose_view(driver, "model")
    light = driver.execute_script("return window.attnviz.fingerprint()")
    body = driver.find_element("css selector", "body")
    body.send_keys("d")
    idle(driver)
    dark = driver.execute_script("return window.attnviz.fingerprint()")
    theme = driver.execute_script("return document.documentElement.dataset.theme")
    check(theme == "dark" and dark != light, f"{name}: d switches to the dark theme, redrawn")
    body.send_keys("d")
    idle(driver)
    check(driver.execute_script("return window.attnviz.fingerprint()") == light,
          f"{name}: d again gives back the light page, pixel for pixel")


def attnviz_flow(source):
    """Every row of `attnviz flow SOURCE --json`: the numbers the page's flow must give back."""
    out = subprocess.run([ATTNVIZ, "flow", source, "--json"], check=True, capture_output=True)
    return np.array(json.loads(out.stdout)["flow"])


def check_flow_shading(driver, flow, name, rows):
    """Clicks each of `rows` in the text view with flow chosen; its shading must be that row."""
    choose_view(driver, "text")
    Select(driver.find_element("id", "source")).select_by_value("flow")
    idle(driver)
    check(state(driver)["source"] == "flow", f"{name}: the text view shades by flow")
    step = driver.execute_script("return window.attnviz.meta().flow.scale")
    for i in rows:
        move_to(driver, driver.execute_script(f"return window.attnviz.textPoint({i})"))
        ActionChains(driver).click().perform()
        idle(driver)
        shading = driver.execute_script("return window.attnviz.textShading()")
        error = np.abs(np.array(shading) - flow[i]).max() if shading else float("inf")
        check(state(driver)["textRow"] == i and error <= step / 2 + 1e-7,
              f"{name}: clicking token {i} shades by flow row {i} (off by {error:.2g}, step {step:.2g})")
    driver.save_screenshot(f"{WORK}/{name}_text_flow.png")


def check_views_draw(driver, name):
    for view in ["model", "text", "table"]:
        choose_view(driver, view)
        check(state(driver)["view"] == view and not state(driver)["errors"], f"{name}: the {view} view opens")
    rows = driver.execute_script("return document.querySelectorAll('#view-table tbody tr').length")
    check(rows > 0, f"{name}: the table lists {rows} heads")


def main():
    self_attn, cross = make_fixtures()
    pages = {
        "self16": write_page(f"{WORK}/self.npy", f"{WORK}/self16.html", "--bits", "16"),
        "self8": write_page(f"{WORK}/self.npy", f"{WORK}/self8.html", "--rollout", "--theme", "dark"),
        "flow": write_page(f"{WORK}/self.npy", f"{WORK}/flow.html", "--rollout", "--flow"),
        "cross": write_page(f"{WORK}/cross.json", f"{WORK}/cross.html", "--bits", "16"),
    }
    driver = open_browser()
    try:
        check(load(driver, pages["self16"]), "self16: loads offline")
        check_head_view(driver, self_attn, "self16", 0, [0, 1, 7, 39])
        driver.execute_script("document.querySelector('#head-set input:not([disabled])').click()")
        idle(driver)
        s = check_head_view(driver, self_attn, "self16 two heads", 0, [20])
        heads = sorted({line["head"] for line in s["lines"]})
        extra = [line["key"] for line in s["lines"] if line["head"] != s["head"]]
        other = heads[-1] if heads[-1] != s["head"] else heads[0]
        check(len(heads) == 2 and extra == numpy_topk(self_attn[0, other][20], 3),
              f"self16 two heads: the second head's lines are its own top-3 {extra}")
        body = driver.find_element("css selector", "body")
        body.send_keys("]")
        idle(driver)
        s = state(driver)
        drawn = [line["key"] for line in s["lines"] if line["head"] == s["head"]]
        check(s["hover"] == {"side": "query", "index": 21} and drawn == numpy_topk(self_attn[0, s["head"]][21], 3),
              f"self16: ] moves the hover to query 21 and draws its top-3 {drawn}")
        check_heatmap(driver, self_attn, "self16", [(0, 0), (5, 3), (39, 39), (39, 0), (22, 17)], 16)
        move_to(driver, driver.execute_script("return window.attnviz.cellPoint(3, 20)"))
        r = state(driver)["readout"]
        check(r is not None and r["masked"] and r["value"] == 0,
              f"self16: a cell above the causal diagonal reads as masked {r}")
        move_to(driver, driver.execute_script("return window.attnviz.cellPoint(20, 3)"))
        check(not state(driver)["readout"]["masked"], "self16: a cell below the diagonal is a weight")
        check_zoom_and_pan(driver, self_attn, "self16")
        check_switching(driver, "self16")
        check_views_draw(driver, "self16")
        check_theme_key(driver, "self16")
        check_model_click(driver, "self16", 1, 2)
        check_png(driver, "self16")
        check_page_health(driver, "self16")

        check(load(driver, pages["self8"]), "self8: loads offline")
        check_heatmap(driver, self_attn, "self8", [(3, 1), (30, 12), (39, 38)], 8)
        check(driver.execute_script("return document.documentElement.dataset.theme") == "dark",
              "self8: opens in the dark theme")
        choose_view(driver, "text")
        Select(driver.find_element("id", "source")).select_by_value("rollout")
        idle(driver)
        check(state(driver)["source"] == "rollout", "self8: the text view shades by rollout")
        offered = driver.execute_script(
            "return [...document.querySelectorAll('#source option')].filter(o => !o.hidden).map(o => o.value)")
        check(offered == ["head", "rollout"], f"self8: a page without flow does not offer it {offered}")
        check_page_health(driver, "self8")

        check(load(driver, pages["flow"]), "flow: loads offline")
        check_flow_shading(driver, attnviz_flow(f"{WORK}/self.npy"), "flow", [0, 5, 22, 38])
        Select(driver.find_element("id", "source")).select_by_value("rollout")
        idle(driver)
        check(state(driver)["source"] == "rollout", "flow: rollout can still be chosen")
        check_page_health(driver, "flow")

        check(load(driver, pages["cross"]), "cross: loads offline")
        check_head_view(driver, cross, "cross", 0, [0, 11])
        check_heatmap(driver, cross, "cross", [(11, 6), (0, 0)], 16)
        check_views_draw(driver, "cross")
        check_page_health(driver, "cross")
    finally:
        driver.quit()
    print(f"{len(failures)} failed" if failures else "all browser checks passed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
