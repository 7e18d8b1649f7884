# The aigov image: `aigov serve` in the cluster (deploy/), or any other
# aigov command. deploy/deployment.yaml runs the image built as
#
#   docker build --build-arg VERSION=v0.1.0 -t ghcr.io/aigov/aigov:v0.1.0 .
#
# and nothing else pushes it: build it, push it to a registry your cluster
# pulls from, and point deploy/ at it (kustomize edit set image
# ghcr.io/aigov/aigov=<your registry>/aigov:<tag>) when that is not
# ghcr.io/aigov/aigov.

# Build stage: a static binary (no cgo), module downloads cached in their
# own layer so that a source change does not download them again.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/aigov ./cmd/aigov

# Runtime stage: no shell, no package manager; the distroless nonroot user
# by number, so that the kubelet can verify runAsNonRoot.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/aigov /aigov
USER 65532:65532
ENTRYPOINT ["/aigov"]
