# test: install what the targets need, then run every test suite with one summary.

.PHONY: deps deps-apt test test-list

deps: deps-apt $(DEPS_TARGETS) ## check and install every program and library the targets need

deps-apt:
	@mk/scripts/deps-apt.sh $(sort $(APT_PACKAGES))

test: deps ## run every test suite (C tools, backend, frontend, charts, stack, e2e) and print a summary
	@mk/scripts/run-suites.sh $(TEST_SUITES)

test-list: ## list the suites `make test` runs, in order
	@printf '%s\n' $(TEST_SUITES)
