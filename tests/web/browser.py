"""What the browser tests share: the widths, the judges of a page (axe, weight, layout) and moving
through a page with the keyboard."""

import gzip
import json

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError

WIDTHS = (320, 1280)
# WCAG 2.0/2.1 A and AA; only the violations are reported (collecting what passes costs as much again).
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
AXE_SCRIPT = Axe().axe_script
HTML_BUDGET_BYTES = 14 * 1024  # gzip, the first round trip
PAGE_BUDGET_BYTES = 30 * 1024  # gzip, the page and everything it loads on a first visit

WEIGHTS = []  # (page and assets, HTML, page): printed with -s, recorded in docs/PERFORMANCE.md
# Words the layout splits across lines: each word of each text node that spans several lines is
# measured with the Range API. A break is allowed after a hyphen and anywhere in a URL or an e-mail
# address; a phone number or a code may wrap between its groups, never inside one.
SPLIT_WORDS = r"""() => {
  const split = [];
  const range = document.createRange();
  const lines = (rects) => {
    const tops = [];
    for (const rect of rects) {
      if (rect.width < 1 || rect.height < 1) continue;
      if (!tops.some((top) => Math.abs(top - rect.top) < rect.height / 2)) tops.push(rect.top);
    }
    return tops.length;
  };
  const hidden = (element) => {
    for (let e = element; e; e = e.parentElement) {
      const box = e.getBoundingClientRect();
      if (box.width <= 2 || box.height <= 2) return true;
    }
    return false;
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const parent = node.parentElement;
    if (!node.data.trim() || !parent || parent.closest("script, style, noscript, template, option")) continue;
    range.selectNodeContents(node);
    if (lines(range.getClientRects()) < 2 || hidden(parent)) continue;
    const grouped = parent.closest('a[href^="tel:"], code, .code, .phone');
    for (const match of node.data.matchAll(/[^\s\u00a0\u202f]+/g)) {
      const word = match[0];
      if (/:\/\/|^www\.|@|\/|^[\w-]+(\.[\w-]+)*\.[a-z]{2,}$/i.test(word)) continue;  // URL, domain, e-mail
      let start = match.index;
      for (const piece of word.split(/(?<=[-\u2010\u2011])/)) {
        range.setStart(node, start);
        range.setEnd(node, start + piece.length);
        start += piece.length;
        if (lines(range.getClientRects()) > 1) {
          const kind = grouped ? "phone number or code broken inside a group" : "word split across lines";
          const where = parent.tagName.toLowerCase() + (parent.className ? "." + parent.className.split(" ")[0] : "");
          split.push(`${kind}: "${piece}" in <${where}>`);
        }
      }
    }
  }
  return split;
}"""
# A checkbox or a radio button whose label's first line is not on its own line (above or below it):
# the person cannot tell which box goes with which words.
CONTROLS_APART = r"""() => {
  const apart = [];
  for (const input of document.querySelectorAll("input[type=checkbox], input[type=radio]")) {
    const box = input.getBoundingClientRect();
    if (box.width < 1 || box.height < 1) continue;
    for (const label of input.labels) {
      const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
      let text = null;
      while (!text && walker.nextNode()) if (walker.currentNode.data.trim()) text = walker.currentNode;
      if (!text) continue;
      const range = document.createRange();
      range.selectNodeContents(text);
      const first = [...range.getClientRects()].find((rect) => rect.width >= 1);
      if (first && (first.top >= box.bottom || first.bottom <= box.top)) {
        apart.push(`a ${input.type} not beside its label: "${text.data.trim().slice(0, 40)}"`);
      }
    }
  }
  return apart;
}"""
# Django's blank choice "---------" offered as an answer (a radio button, an option): people read
# it as a dash, or as a choice to make.
BLANK_CHOICES = r"""() => [...document.querySelectorAll("input[type=radio], option")]
  .filter((control) => /^-{3,}$/.test((control.labels?.[0] ?? control).textContent.trim()))
  .map((control) => `a blank choice "---------" offered (${control.name || control.parentElement.name})`)"""
# What a small phone (320 × 568) shows before any scrolling must include the page's main action:
# the element marked data-main-action (the home page's "Ask for help", the first result, the
# question of each step of a request).
FIRST_SCREEN = (320, 568)
MAIN_ACTION_BOTTOM = """() => {
  const action = document.querySelector("[data-main-action]");
  return action ? action.getBoundingClientRect().bottom + window.scrollY : null;
}"""


def first_screen_problem(page):
    """Why the page's main action is not on a small phone's first screen, or None."""
    bottom = page.evaluate(MAIN_ACTION_BOTTOM)
    if bottom is not None and bottom > FIRST_SCREEN[1]:
        return f"the main action ends at {round(bottom)} px, below the first screen ({FIRST_SCREEN[1]} px)"
    return None


PAGE_FACTS = """() => ({
  lang: document.documentElement.getAttribute("lang"),
  title: document.title,
  h1: document.querySelectorAll("h1").length,
  current: document.querySelectorAll('.menu [aria-current="page"]').length,
  scroll_width: document.documentElement.scrollWidth,
})"""


def gzip_size(body):
    return len(gzip.compress(body, compresslevel=6))


def with_axe(context):
    """Every page of the context gets axe-core when it loads: injected once, not once per check."""
    context.add_init_script(AXE_SCRIPT)
    return context


def axe_violations(page):
    """The WCAG A and AA violations axe finds on the page, as readable lines (none: an empty list)."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT)
    results = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + json.dumps([node["target"] for node in violation["nodes"]][:5])
        for violation in results["violations"]
    ]


def tab_to(page, element_id, limit=60, tag=None):
    """Press Tab until the element (by id, or the first of a tag) has the focus."""
    for _press in range(limit):
        page.keyboard.press("Tab")
        active = page.evaluate("[document.activeElement.id, document.activeElement.tagName]")
        if (tag and active[1] == tag) or (not tag and active[0] == element_id):
            return
    raise AssertionError(f"#{element_id or tag} cannot be reached with the keyboard")


class PageVisit:
    """One browser tab with its cache off, recording every request and response."""

    def __init__(self, context, base_url):
        self.page = context.new_page()
        self.base_url = base_url
        self.requests, self.responses = [], []
        cdp = context.new_cdp_session(self.page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("response", lambda response: self.responses.append(response))

    def open(self, path):
        self.requests.clear()
        self.responses.clear()
        return self.page.goto(self.base_url + path, wait_until="load")

    def _body_of_this_page(self, response):
        """The body of a response of the current page (late events of the previous page are ignored)."""
        if response.status >= 300:
            return None
        try:
            return response.body()
        except PlaywrightError:
            if response.url == self.page.url:
                raise
            return None

    def problems(self, label, width):
        """What ARCHITECTURE.md forbids on a page: its own words for each."""
        page, problems = self.page, []
        foreign = [url for url in self.requests if not url.startswith(self.base_url) and not url.startswith("data:")]
        if foreign:
            problems.append(f"requests to other hosts: {foreign}")
        facts = page.evaluate(PAGE_FACTS)  # one round trip for all of them
        if not facts["lang"]:
            problems.append("no lang attribute")
        if not facts["title"].strip():
            problems.append("no title")
        if facts["h1"] != 1:
            problems.append(f"{facts['h1']} h1 elements")
        if facts["current"] > 1:
            problems.append(f"{facts['current']} menu entries marked as the current page")
        bodies = [(response, body) for response in self.responses if (body := self._body_of_this_page(response))]
        html = [gzip_size(body) for response, body in bodies if response.request.resource_type == "document"]
        total = sum(gzip_size(body) for _response, body in bodies)
        WEIGHTS.append((total, html[0] if html else 0, label))
        if html and html[0] > HTML_BUDGET_BYTES:
            problems.append(f"HTML weighs {html[0]} bytes gzip (budget {HTML_BUDGET_BYTES})")
        if total > PAGE_BUDGET_BYTES:
            problems.append(f"page and assets weigh {total} bytes gzip (budget {PAGE_BUDGET_BYTES})")
        if facts["scroll_width"] > width:
            problems.append(f"scrolls horizontally at {width} px ({facts['scroll_width']} px wide)")
        problems.extend(page.evaluate(SPLIT_WORDS))
        problems.extend(page.evaluate(CONTROLS_APART))
        problems.extend(page.evaluate(BLANK_CHOICES))
        if width == FIRST_SCREEN[0] and (problem := first_screen_problem(page)):
            problems.append(problem)
        if violations := axe_violations(page):
            problems.append("axe violations:\n  " + "\n  ".join(violations))
        return [f"[{label} @ {width}px] {problem}" for problem in problems]
