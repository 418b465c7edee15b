# A static Warden image: the binary (pure Go, SQLite included, no cgo) on a
# distroless base with CA certificates and a non-root user.
#
#   docker build --build-arg VERSION=$(git describe --tags --always) -t warden .
#   docker run -p 9090:9090 -v warden-data:/var/lib/warden warden
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/wardenhq/warden/internal/app.Version=${VERSION}" \
      -o /out/warden ./cmd/warden

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/warden /usr/local/bin/warden
# The config lives at /etc/warden/warden.yaml (mount it); data in a volume.
WORKDIR /var/lib/warden
VOLUME /var/lib/warden
EXPOSE 9090 8080
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/warden"]
CMD ["serve", "--config", "/etc/warden/warden.yaml"]
