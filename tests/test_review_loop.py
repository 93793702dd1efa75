"""Issue 16, end to end on the sample corpus: queue -> label in the browser -> tag --labels -> retrain --add.

The review page is driven with the keyboard in headless Chromium (selenium), as the report
test does. ``MFA_NLP_SCREENSHOTS=docs`` also saves the page as ``docs/review.png`` (the README's).
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from mfa_nlp.cli import app
from mfa_nlp.document import DUTIES, passage_id
from mfa_nlp.duties import DutyClassifier
from mfa_nlp.duties.retrain import held_out, human_examples
from mfa_nlp.export import record_schema
from mfa_nlp.labels import read_labels
from mfa_nlp.review import read_queue
from mfa_nlp.review_server import make_server

APT = "apt-get update && apt-get install -y chromium chromium-driver"
HAVE_CHROMIUM = bool(shutil.which("chromium") and shutil.which("chromedriver"))
if not HAVE_CHROMIUM:
    print(f"review loop test skipped: headless Chromium is missing; install it with: {APT}")
runner = CliRunner()
#: Passages labelled through the page (the queue holds this many).
N = 10


def _driver(profile: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--no-first-run",
                 f"--user-data-dir={profile}", "--window-size=1100,820"):
        options.add_argument(flag)  # fmt: skip
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _passages(path: Path) -> dict[str, dict]:
    return {passage_id(p["text"]): p for r in _records(path) for p in r["passages"]}


def _label_in_browser(queue: Path, labels: Path, tmp_path: Path) -> dict[str, list[str]]:
    """Label every passage of the queue with the keyboard; return what each should now say."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    items = read_queue(queue)
    server = make_server(queue, labels, analyst="ana", port=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    driver = _driver(tmp_path / "profile")
    expected: dict[str, list[str]] = {}
    body = lambda d: d.find_element(By.TAG_NAME, "body")  # noqa: E731
    data = lambda key: driver.execute_script(f"return document.body.dataset.{key} || ''")  # noqa: E731
    try:
        driver.get(server.url)
        WebDriverWait(driver, 20).until(lambda d: data("ready") == "1")
        for j, item in enumerate(items):
            duty = DUTIES[j % len(DUTIES)]  # each passage gets one duty flipped: a correction of the model
            expected[item["passage"]] = [d for d in DUTIES if (d in item["duties"]) != (d == duty)]
            ActionChains(driver).send_keys(str(j % len(DUTIES) + 1)).send_keys(Keys.ENTER).perform()
            if j == 2:  # three saved: reload, and the page starts at the fourth with three labelled
                WebDriverWait(driver, 20).until(lambda d: data("saved") == "3")
                driver.refresh()
                WebDriverWait(driver, 20).until(lambda d: data("ready") == "1")
                assert data("index") == "3" and data("labelled") == "3"
                assert len(read_labels(labels).duties) == 3
        WebDriverWait(driver, 30).until(lambda d: data("labelled") == str(len(items)) and data("pending") in ("", "0"))
        # Backspace goes back to the last passage, showing the analyst's duties, not the model's.
        body(driver).send_keys(Keys.BACKSPACE)
        on = [b.get_attribute("data-duty") for b in driver.find_elements(By.CSS_SELECTOR, ".duty.on")]
        assert on == expected[items[-1]["passage"]]
        assert "saved by ana" in driver.find_element(By.ID, "meta").text
        body(driver).send_keys(Keys.ENTER)  # accepted again unchanged: one more line, no conflict
        WebDriverWait(driver, 20).until(lambda d: data("saved") == str(len(items) - 3 + 1) and data("pending") == "0")
        while not driver.find_elements(By.CSS_SELECTOR, "#text mark"):  # a passage with entities, for the picture
            assert data("index") != "0", "no passage of the queue shows an entity"
            body(driver).send_keys(Keys.BACKSPACE)
        shot = driver.get_screenshot_as_png()
        (tmp_path / "review.png").write_bytes(shot)
        if os.environ.get("MFA_NLP_SCREENSHOTS"):
            Path(os.environ["MFA_NLP_SCREENSHOTS"], "review.png").write_bytes(shot)
    finally:
        driver.quit()  # closing the browser: everything accepted is already on disk
        server.shutdown()
        server.server_close()
    return expected


@pytest.mark.slow
@pytest.mark.skipif(not HAVE_CHROMIUM, reason=f"chromium not installed; install it with: {APT}")
def test_review_loop_queue_label_tag_retrain(samples_dir: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(samples_dir.parents[1])  # sources read corpus/samples/..., as in the README's commands
    samples_dir = Path("corpus/samples")
    records = tmp_path / "samples.jsonl"
    assert runner.invoke(app, ["tag", str(samples_dir), "-o", str(records), "--workers", "1"]).exit_code == 0

    # 1. the queue
    queue, labels = tmp_path / "queue.jsonl", tmp_path / "labels.jsonl"
    made = runner.invoke(app, ["review", str(records), "-o", str(queue), "--n", str(N)])
    assert made.exit_code == 0, made.output
    items = read_queue(queue)
    assert len(items) == N and queue.with_suffix(".csv").is_file()
    assert {i["lang"] for i in items} >= {"en", "sq", "sr"}

    # 2. labelled through the page, with the keyboard
    expected = _label_in_browser(queue, labels, tmp_path)
    saved = read_labels(labels)
    assert not saved.problems and not saved.conflicts
    assert {pid: lab.duties for pid, lab in saved.duties.items()} == expected
    assert len(saved.duties) == N and saved.lines == N + 1  # the passage accepted twice (after Backspace) too

    # 3. tag --labels, with a few bad lines that must be reported, not fatal
    messy = tmp_path / "messy_labels.jsonl"
    messy.write_text(
        labels.read_text(encoding="utf-8")
        + json.dumps({"passage": "0" * 64, "duties": ["global_agenda"], "text": "A passage that was deleted."})
        + "\n" + json.dumps({"passage": items[0]["passage"], "duties": ["eu-integration"]}) + "\n"
        + '{"passage": "torn', encoding="utf-8",
    )  # fmt: skip
    tagged = tmp_path / "labelled.jsonl"
    result = runner.invoke(app, ["tag", str(samples_dir), "-o", str(tagged), "--workers", "1", "--labels", str(messy)])
    assert result.exit_code == 0, result.output
    for needle in ("unknown duties ['eu-integration']", "cut short", "not in the output"):
        assert needle in result.stderr
    schema = record_schema()
    for record in _records(tagged):
        jsonschema.validate(record, schema)
    passages = _passages(tagged)
    for pid, duties in expected.items():
        assert passages[pid]["duties"] == duties and passages[pid]["source"] == "human"
    assert sum(p.get("source") == "human" for p in passages.values()) == N

    # 4. retrain with --add (thresholds kept from the old model here: --folds 0; the real command tunes them)
    local = tmp_path / "local"
    result = runner.invoke(app, ["train", "corpus/duties", "--add", str(labels), "-o", str(local), "--folds", "0"])
    with capsys.disabled():
        print("\n" + result.stdout)
    assert result.exit_code == 0, result.output
    assert "blind set" in result.stdout and "analysts' held-out labels" in result.stdout
    card = json.loads((local / "duties.json").read_text(encoding="utf-8"))
    trained, held = held_out(human_examples(saved)[0])
    assert card["human_labels"]["trained"] == len(trained) == N - len(held) and len(held) == 2

    # 5. the corrected passages now get the analysts' labels from the model alone
    monkeypatch.setenv("MFA_NLP_MODEL_DIR", str(local))
    assert DutyClassifier.load().model_id == card["model_id"]  # the variable points tagging at it
    retagged = tmp_path / "retagged.jsonl"
    args = ["tag", str(samples_dir), "-o", str(retagged), "--workers", "1", "--model-dir", str(local)]
    assert runner.invoke(app, args).exit_code == 0
    assert {r["pipeline"]["model"] for r in _records(retagged)} == {card["model_id"]}
    passages = _passages(retagged)
    for row in trained:
        pid = passage_id(row.text)
        assert passages[pid]["duties"] == expected[pid] and "source" not in passages[pid]
