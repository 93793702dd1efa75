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
	@touch $(STAMP)

demo: $(STAMP)
	@mkdir -p out
	$(BIN)/mfa-nlp tag corpus/samples -o out/samples.jsonl --workers 2
	$(BIN)/mfa-nlp link out/samples.jsonl --in-place -o out/links.jsonl
	$(BIN)/mfa-nlp index out/samples.jsonl --db out/archive.db
	$(BIN)/mfa-nlp search out/archive.db "visa liberalisation" --limit 5
	$(BIN)/mfa-nlp search out/archive.db "Barbados" --collapse --limit 5
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
