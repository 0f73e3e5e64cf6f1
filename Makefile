# Todo Chatbot stack: every target lives in mk/<concern>.mk; `make` alone lists them.
.DEFAULT_GOAL := help
include mk/config.mk
include $(filter-out mk/config.mk mk/test.mk,$(sort $(wildcard mk/*.mk)))
include mk/test.mk
