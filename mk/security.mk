# security: the attack suite: hostile clients against the backend and frontend, hostile files against the C tools, on loopback.
# Uses from config.mk: PYTEST.

APT_PACKAGES += postgresql postgresql-client nodejs
TEST_SUITES += security-test

.PHONY: security-test

security-test: deps-pytools deps-backend tools frontend-build ## attacks as requests and files: bodies, logins, sessions, surrogates, hostile model output, a hung database, symlinks, .env expansion
	$(PYTEST) -q -p no:cacheprovider -s tests/security
