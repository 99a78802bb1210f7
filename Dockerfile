# hallcast: one static binary (CGO_ENABLED=0, pure-Go SQLite) on a minimal image.
# deploy/compose.single.yaml runs it alone on SQLite; deploy/compose.yaml runs
# two replicas on Redis behind Caddy, sharing /data (signing key, media).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/hallcast ./cmd/hallcast \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/hallcast /usr/local/bin/hallcast
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
ENV HALLCAST_ADDR=:8080 HALLCAST_DATA=/data
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD ["/usr/local/bin/hallcast", "healthcheck", "--url", "http://127.0.0.1:8080/healthz"]
ENTRYPOINT ["/usr/local/bin/hallcast"]
CMD ["serve"]
