# test: the Python virtualenv the cross-cutting tests under tests/ run in (build/venv-tools).
# Uses from config.mk: PYTHON, PYTOOLS_VENV (where PYTEST and HADOLINT, the one pinned hadolint, live).

PYTOOLS_REQS := $(sort $(wildcard tests/requirements-*.txt))
APT_PACKAGES += python3 python3-venv

.PHONY: deps-pytools
deps-pytools: $(PYTOOLS_VENV)/.stamp

# Rebuilt when any tests/requirements-*.txt changes; every version there is pinned.
$(PYTOOLS_VENV)/.stamp: $(PYTOOLS_REQS)
	@[ -x $(PYTOOLS_VENV)/bin/python ] || $(PYTHON) -m venv $(PYTOOLS_VENV)
	$(PYTOOLS_VENV)/bin/pip install -q --disable-pip-version-check $(addprefix -r ,$(PYTOOLS_REQS))
	@touch $@

DEPS_TARGETS += deps-pytools
