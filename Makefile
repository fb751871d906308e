# DizhTime: `make run` runs it, `make test` tests it. See README.md.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

SERVICES := deploy/local/services.sh
# Every Go module of the workspace (go.work), as ./dir/... package patterns.
GO_PACKAGES = $(shell go list -m -f '{{.Dir}}/...' | sed "s|^$(CURDIR)/|./|")
# Exports DIZHTIME_* addresses of the running services into a recipe's shell.
WITH_SERVICES = eval "$$($(SERVICES) env)";
BENCHTIME ?= 2s
ROUTER_BENCH_DURATION ?= 15s

.PHONY: help
help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 20

.PHONY: run
run: ## run DizhTime on this machine (embedded stores + every process), Ctrl-C stops it; SIM=1 adds a live city
	deploy/local/run.sh $(if $(SIM),-sim)

.PHONY: observe
observe: ## beside a running `make run`: Prometheus (rules), Alertmanager, Jaeger, Loki and the log shipper; prints their URLs
	$(SERVICES) up prometheus alertmanager jaeger loki logship
	@echo "Prometheus    http://127.0.0.1:$${DIZHTIME_PROMETHEUS_PORT:-9090}  (targets: /targets, alerts: /alerts)"
	@echo "Alertmanager  http://127.0.0.1:$${DIZHTIME_ALERTMANAGER_PORT:-9093}"
	@echo "Jaeger UI     http://127.0.0.1:$${DIZHTIME_JAEGER_UI_PORT:-16686}  (OTLP in: http://127.0.0.1:$${DIZHTIME_JAEGER_PORT:-4318})"
	@echo "Loki          http://127.0.0.1:$${DIZHTIME_LOKI_PORT:-3100}  (API, no UI; logs of make run shipped by logship: curl -G .../loki/api/v1/query_range --data-urlencode 'query={service=\"orders\"} | trace_id=\"<id>\"')"
	@echo "Dashboards    deploy/observability/grafana/dashboards/*.json (provision into a Grafana)"

# Grafana Loki (AGPL-3.0, run as a separate process; nothing links it), built from the Go
# module proxy through the pinned module deploy/observability/tools/loki into
# .dizhtime/bin/loki, again only when that module's go.mod or go.sum changes. A cold build
# is long (README, "Observability"): `make test` builds it here, before any test's deadline
# (platform/observability's journey runs it), and .ci/run starts it early in the background.
LOKI_MODULE := deploy/observability/tools/loki
LOKI_BIN ?= .dizhtime/bin/loki
LOKI_BUILD_FLAGS ?= -ldflags='-s -w' -gcflags=all=-dwarf=false
.PHONY: loki
loki: $(LOKI_BIN) ## build Grafana Loki (pinned v3.7.8, from the Go module proxy) into .dizhtime/bin/loki
$(LOKI_BIN): $(LOKI_MODULE)/go.mod $(LOKI_MODULE)/go.sum
	@mkdir -p $(@D)
	cd $(LOKI_MODULE) && GOWORK=off go build $(LOKI_BUILD_FLAGS) -o $(abspath $@).tmp github.com/grafana/loki/v3/cmd/loki
	mv $@.tmp $@

.PHONY: sim
sim: ## simulate a city against a running `make run` (SIM_FLAGS="-orders-per-minute 30 -drivers 20")
	@[ -x .dizhtime/bin/dizhtime ] || { echo "make sim runs beside make run, which builds .dizhtime/bin/dizhtime: start make run first" >&2; exit 1; }
	.dizhtime/bin/dizhtime sim $(SIM_FLAGS)

.PHONY: simulate
simulate: ## seeded simulation of the order saga (orders/sagasim): SEED=<n> replays one seed, STEPS=1000000 runs many
	cd subgraphs/orders && go run ./cmd/sagasim $(if $(SEED),-seed $(SEED),-steps $(or $(STEPS),100000)) $(SIMULATE_FLAGS)

.PHONY: test-journey
test-journey: services ## only the end-to-end journey through the router (platform/city)
	$(WITH_SERVICES) cd platform && go test -count=1 -run '^TestJourney' -v ./city

.PHONY: test
# One package at a time (-p 1): several packages boot a whole stack (every subgraph and the
# router) on the shared Kafka topics, and two stacks at once answer each other's events (a
# wallet of one run declines another run's order.created). Databases, consumer groups and
# indexes are named per run; topics are not yet.
test: services lint deploy-validate ## start the real services, then vet and test every module against them
	$(WITH_SERVICES) go test -count=1 -p 1 -timeout 30m $(GO_PACKAGES)

# deploy/ is a Go module of its own, outside go.work: its Kubernetes and registry libraries
# would otherwise move dependency versions under every other module. Run it with GOWORK=off.
DEPLOY_GO = cd deploy && GOWORK=off
IMAGES_OUT ?= $(CURDIR)/.dizhtime/images

.PHONY: images
images: ## build one OCI image per process (router + supergraph.yaml's subgraphs), no Docker needed, into .dizhtime/images
	$(DEPLOY_GO) go run ./cmd/images build -repo .. -out $(IMAGES_OUT)

.PHONY: images-check
images-check: ## read back every image `make images` wrote: non-root user, entrypoint, version/commit labels, static binary, no shell
	$(DEPLOY_GO) go run ./cmd/images check -repo .. -out $(IMAGES_OUT)

.PHONY: deploy-validate
deploy-validate: ## offline: render deploy/k8s overlays with kustomize, decode every object strictly, run the deployment policy tests
	@unformatted=$$(gofmt -l deploy); if [ -n "$$unformatted" ]; then echo "not gofmt-ed:" $$unformatted >&2; exit 1; fi
	$(DEPLOY_GO) go vet ./... && GOWORK=off go test -count=1 ./...

.PHONY: bench
bench: services ## run the load tools against the real services, print one table (BENCH_ALL=1 adds every Go benchmark first)
	$(if $(BENCH_ALL),$(WITH_SERVICES) go test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) $(GO_PACKAGES))
	ROUTER_BENCH_DURATION=$(ROUTER_BENCH_DURATION) deploy/local/bench.sh

.PHONY: generate
generate: ## regenerate all generated code (checked in), then compose schema/supergraph.graphql
	go generate $(GO_PACKAGES)
	go run ./router/cmd/router compose -supergraph supergraph.yaml -out schema/supergraph.graphql
	$(MAKE) web-generate

.PHONY: check-generated
check-generated: generate ## fail when checked-in generated code is stale
	@if [ -n "$$(git status --porcelain --untracked-files=all)" ]; then \
	  git status --short; echo "generated code is stale: run 'make generate' and commit the result" >&2; exit 1; \
	fi

.PHONY: lint
lint: ## gofmt and go vet every module
	@unformatted=$$(gofmt -l $$(go list -m -f '{{.Dir}}')); \
	  if [ -n "$$unformatted" ]; then echo "not gofmt-ed:" $$unformatted >&2; exit 1; fi
	go vet $(GO_PACKAGES)

.PHONY: services
services: ## start PostgreSQL, Redis, Kafka, FerretDB and Elasticsearch (idempotent)
	$(SERVICES) up

.PHONY: services-down
services-down: ## stop the services `make services` started
	$(SERVICES) down

.PHONY: services-status
services-status: ## what runs, where
	$(SERVICES) status

.PHONY: clean-data
clean-data: services-down ## stop the services and delete their data (downloads stay cached)
	rm -rf .dizhtime/postgres .dizhtime/redis .dizhtime/kafka .dizhtime/ferretdb .dizhtime/elasticsearch .dizhtime/dev .dizhtime/mailpit
	rm -rf .dizhtime/clickhouse

# web/: the customer app (TypeScript, React, Vite; npm workspaces). See README.md, "Web".
.PHONY: web-deps
web-deps: ## install the web apps' npm packages (npm ci, from web/package-lock.json)
	cd web && npm ci --no-audit --no-fund
	@touch web/node_modules/.package-lock.json

# What npm ci last installed; older than web/package-lock.json (a pull that added a
# package or a workspace) means node_modules is stale and is installed again.
WEB_INSTALLED := web/node_modules/.package-lock.json
$(WEB_INSTALLED): web/package-lock.json
	$(MAKE) web-deps

.PHONY: web-generate
web-generate: $(WEB_INSTALLED) ## regenerate web/'s typed GraphQL operations from schema/supergraph.graphql (fails on an invalid operation) and the offline city map's GeoJSON
	cd web && npx graphql-codegen --config codegen.ts --errors-only
	cd subgraphs/restaurants && go run ./cmd/citymap -out ../../web/packages/map/src/city.json

.PHONY: web-build
web-build: $(WEB_INSTALLED) ## build the customer app into web/apps/customer/dist (typechecks first)
	cd web && npm run build

.PHONY: web-test
web-test: $(WEB_INSTALLED) ## Vitest: the web client's and the customer app's unit and component tests
	cd web && npx vitest run

# `make test` also builds the customer app (platform/city's TestWebCustomer drives it in
# Debian's chromium; the app is built here, not inside that test's deadline) and runs Vitest.
test: web-build web-test

# router/clients: independent npm clients the router's end-to-end tests drive (graphql-http's
# server audit, the legacy subscriptions-transport-ws client, GraphiQL in Debian's chromium
# through playwright-core). Installed here, never inside a test's deadline.
.PHONY: router-clients
router-clients: ## install router/clients' npm packages (npm ci) for the router's end-to-end tests
	cd router/clients && npm ci --no-audit --no-fund

test: router-clients

# `make images` also ships the customer app (deploy/images WebApps: its built files under a
# small non-root static server, platform/cmd/webserve), so it builds the app first.
images: web-build

# platform/observability's journey checks its logs in Loki (built here, not in a test).
test: loki
