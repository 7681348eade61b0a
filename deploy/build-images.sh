#!/usr/bin/env bash
# Builds the service images from the repository root: ./deploy/build-images.sh [--gpu]
#   finsent/ingest:0.1.0, finsent/scorer:0.1.0-cpu, finsent/alerting:0.1.0; with --gpu also finsent/scorer:0.1.0-cuda
# (the scorer packaged again with ONNX Runtime's CUDA 12 artifact, -Dgpu). Push them to your registry and name it
# in the Kubernetes overlay's images (docs/operations.md). deploy/src/test checks these tags against the
# compose file and the manifests.
set -euo pipefail
cd "$(dirname "$0")/.."

./mvnw -B -pl services/ingest,services/scorer,services/alerting -am package -DskipTests
docker build -f deploy/ingest/Dockerfile -t finsent/ingest:0.1.0 .
docker build -f deploy/scorer/Dockerfile -t finsent/scorer:0.1.0-cpu .
docker build -f deploy/alerting/Dockerfile -t finsent/alerting:0.1.0 .

if [[ "${1:-}" == "--gpu" ]]; then
  ./mvnw -B -Dgpu -pl services/scorer -am package -DskipTests
  docker build -f deploy/scorer/Dockerfile.cuda -t finsent/scorer:0.1.0-cuda .
  # Leave the CPU build in place for the next plain build.
  ./mvnw -B -pl services/scorer -am package -DskipTests
fi
