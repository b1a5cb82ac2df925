#!/usr/bin/env bash
# CRM sync throughput: drain 10,000 calls into the in-memory HubSpot fake
# (loopback only) while it enforces 100 requests per 10 s. Bounded: one
# drain, about 10 s. Fails if the drain takes over 20 s, loses or
# duplicates a call, or draws more than one 429.
set -euo pipefail
go test -run '^$' -bench 'BenchmarkDrainBacklog' -benchtime 1x -timeout 120s ./softphone/crm/hubspot/
