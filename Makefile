# Fresh machine: `make run` installs into .venv, trains the classifier if it has no model yet and
# runs the bot on the defaults of settings.toml; `make test` installs and runs the test suite.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: install run test train bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) bot.py run

train: install
	$(PY) bot.py train

# The classifier is trained once before the tests start, so that the two test processes do not
# both train it into the same folder.
test: install
	$(PY) -c 'import classifier, os; os.makedirs("data", mode=0o700, exist_ok=True); classifier.load("data/model")'
	$(PY) -m pytest -n 2 --dist loadfile --durations=15

bench: install
	$(PY) bench/classify.py
	$(PY) bench/intake.py

clean:
	rm -rf $(VENV) build *.egg-info
