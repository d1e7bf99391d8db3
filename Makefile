# Every target creates the virtual environment first if it is missing.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev,explore]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m sim

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check sim tests experiments benchmarks

bench: $(STAMP)  # figures, no assertions on time; see docs/performance.md
	$(BIN)/python benchmarks/full_scale.py
	$(BIN)/python benchmarks/mesa_objects.py --households 100000 --seeds 3

clean: clean-cache
	rm -rf $(VENV) results/runs results/multirun

.PHONY: clean-cache
clean-cache:  # Numba's compiled passes; they compile again (about 10 s) on first use
	find sim -name '*.nbi' -delete -o -name '*.nbc' -delete

.PHONY: compare
compare: $(STAMP)  # every scenario, 30 replications each, on all cores; see README.md, Experiments
	$(BIN)/python experiments/compare.py

.PHONY: workshop
workshop: $(STAMP)  # the workshop page on http://127.0.0.1:8765; see README.md, Workshop
	-$(BIN)/python -m sim.workshop.offline_assets
	@echo "Workshop page: http://127.0.0.1:8765  (Ctrl-C stops it)"
	SOLARA_TELEMETRY_MIXPANEL_ENABLE=False $(BIN)/solara run sim/workshop/app.py \
		--host 127.0.0.1 --port 8765 --no-open --production

.PHONY: check-deep
check-deep: $(STAMP)  # the property tests with 2,000 random configurations instead of 200
	HYPOTHESIS_PROFILE=deep $(BIN)/python -m pytest tests/test_properties.py
