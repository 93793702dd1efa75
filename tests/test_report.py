"""The HTML report and the plots, on a real tagged sample corpus; rendered in headless Chromium."""

from __future__ import annotations

import base64
import io
import shutil
import subprocess
import sys

import pytest

from mfa_nlp import plots, to_dataframe
from mfa_nlp.report import build_report


@pytest.fixture(scope="module")
def tagged(tmp_path_factory, samples_dir):
    out = tmp_path_factory.mktemp("report") / "samples.jsonl"
    subprocess.run([sys.executable, "-m", "mfa_nlp.cli", "tag", str(samples_dir), "-o", str(out), "--workers", "1"],
                   check=False, capture_output=True)
    assert out.stat().st_size > 0
    return out


def _not_blank_png(data: bytes) -> bool:
    import matplotlib.image as mpimg

    pixels = mpimg.imread(io.BytesIO(data), format="png")
    return float(pixels.std()) > 0.01


def test_report_plots_draw_from_dataframes(tagged):
    passages = to_dataframe(tagged, level="passage")
    documents = to_dataframe(tagged, level="document")
    for fig in (plots.duties_by_language(passages), plots.top_entities(passages, "states"),
                plots.duties_over_time(documents), plots.state_duty_heatmap(passages)):
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        assert _not_blank_png(buf.getvalue())


def test_report_is_self_contained(tagged, tmp_path):
    out = build_report(tagged, tmp_path / "report.html")
    page = out.read_text(encoding="utf-8")
    assert "http://" not in page and "https://" not in page
    assert page.count("data:image/png;base64,") == 7  # six charts and the recognition timeline
    for heading in ("Counts", "Charts", "Recognition ledger", "Documents", "Passages"):
        assert f"<h2>{heading}</h2>" in page
    first = page.split("data:image/png;base64,")[1].split("'")[0]
    assert _not_blank_png(base64.b64decode(first))


@pytest.mark.slow
@pytest.mark.skipif(not (shutil.which("chromium") and shutil.which("chromedriver")), reason="chromium not installed")
def test_report_renders_in_headless_chromium(tagged, tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    out = build_report(tagged, tmp_path / "report.html")
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--no-first-run",
                 f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1200,2400"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    try:
        driver.get(out.as_uri())
        headings = [h.text for h in driver.find_elements(By.TAG_NAME, "h2")]
        assert headings[:5] == ["Counts", "Charts", "Recognition ledger", "Documents", "Passages"]
        images = driver.find_elements(By.CSS_SELECTOR, ".charts img")
        assert len(images) == 6
        assert all(driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 100", i)
                   for i in images)
        # issue 14: the recognition timeline is drawn, and the ledger table links to passages that exist
        timeline = driver.find_element(By.CSS_SELECTOR, ".ledger img")
        assert timeline.get_attribute("alt") == "Recognition timeline"
        assert driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 100", timeline)
        links = driver.find_elements(By.CSS_SELECTOR, "table.states a")
        assert links and all(driver.find_elements(By.ID, a.get_attribute("href").split("#")[1]) for a in links)
        shot = driver.get_screenshot_as_png()
        (tmp_path / "report.png").write_bytes(shot)
        assert _not_blank_png(shot)
    finally:
        driver.quit()
