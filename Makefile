# Two set-up commands for a fresh machine with only Python 3.11 and make:
#   make demo   tag corpus/samples/ -> out/samples.jsonl, index it, run one search
#   make test   run the whole test suite (notebooks included)
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test model link-model bench samples-pdf lint clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@# Bytecode for our own modules (an editable install compiles none): every command starts faster,
	@# also where PYTHONDONTWRITEBYTECODE is set.
	$(BIN)/python -m compileall -q src
	@touch $(STAMP)

demo: $(STAMP)
	@mkdir -p out
	$(BIN)/mfa-nlp tag corpus/samples -o out/samples.jsonl --workers 2
	@# A scanned statement, made from a sample PDF, when Tesseract is installed (see README: OCR).
	@if $(BIN)/python -c "import sys; from mfa_nlp.ingest.ocr import available; sys.exit(not available())"; then \
		$(BIN)/python tests/scans.py sr-Cyrl out/scan/sr-cyrl_independence_statement_scan.tif && \
		$(BIN)/mfa-nlp tag out/scan -o out/scan.jsonl --workers 1 && \
		$(BIN)/python -c "import json; r = json.loads(open('out/scan.jsonl').readline()); \
			print('OCR:', r['source'], '|', r['title'], '|', r['date'], '| pages', r['ocr_pages'], '| confidence', r['ocr_confidence'])"; \
	else echo "OCR demo skipped: Tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-sqi tesseract-ocr-srp tesseract-ocr-srp-latn tesseract-ocr-eng)"; fi
	$(BIN)/mfa-nlp link out/samples.jsonl --in-place -o out/links.jsonl
	$(BIN)/mfa-nlp index out/samples.jsonl --db out/archive.db
	$(BIN)/mfa-nlp search out/archive.db "visa liberalisation" --limit 5
	$(BIN)/mfa-nlp search out/archive.db "Barbados" --collapse --limit 5
	$(BIN)/mfa-nlp events out/samples.jsonl -o out/events.csv
	$(BIN)/mfa-nlp report out/samples.jsonl -o out/report.html

test: $(STAMP)
	$(BIN)/python -m pytest

# Rebuild the shipped duty classifier from corpus/duties (deterministic).
model: $(STAMP)
	$(BIN)/mfa-nlp train corpus/duties -o models/

# Rebuild the link scorer from corpus/links (deterministic; needs the duty model).
link-model: $(STAMP)
	$(BIN)/mfa-nlp train-link corpus/links -o models/

bench: $(STAMP)
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/entities.py
	$(BIN)/python bench/duties.py
	$(BIN)/python bench/batch.py
	$(BIN)/python bench/link.py

# Rebuild the sample PDFs (needs the DejaVu fonts; the PDFs are committed).
samples-pdf: $(STAMP)
	$(BIN)/python corpus/build_pdfs.py

lint: $(STAMP)
	$(BIN)/ruff check src tests

clean:
	rm -rf out .pytest_cache build dist
