package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/dizhtime/dizhtime/platform/graphqlserver"
	"log/slog"
	"net"
	"net/http"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/graphqlerr"
	"github.com/dizhtime/dizhtime/subgraphs/identity/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/identity/app"
	"github.com/dizhtime/dizhtime/subgraphs/identity/domain"
	"github.com/dizhtime/dizhtime/subgraphs/identity/graph"
	"github.com/dizhtime/dizhtime/subgraphs/identity/graph/generated"
)

// Service is a wired identity instance.
type Service struct {
	App     *app.Application
	Handler http.Handler
}

// New migrates the database, makes sure a signing key exists and returns the service.
func New(ctx context.Context, cfg Config, pool *pgxpool.Pool, rdb redis.UniversalClient, logger *slog.Logger) (*Service, error) {
	if err := adapters.Migrate(ctx, pool); err != nil {
		return nil, fmt.Errorf("identity migrations: %w", err)
	}
	application, err := app.New(
		adapters.NewUsersRepository(pool),
		adapters.NewRefreshTokensRepository(pool),
		adapters.NewSigningKeysRepository(pool),
		adapters.NewRelationsRepository(pool),
		adapters.NewLoginLimiter(rdb, cfg.RedisKeyPrefix, cfg.LoginPerAccountPerMinute, cfg.LoginPerIPPerMinute),
		app.Config{
			Issuer: cfg.Issuer, Audience: cfg.Audience, AccessTTL: cfg.AccessTTL, RefreshTTL: cfg.RefreshTTL,
			KeyLifetime: cfg.KeyLifetime, KeyPublishAhead: cfg.KeyPublishAhead,
			Argon2: domain.Argon2Params{Memory: cfg.Argon2MemoryKiB, Time: cfg.Argon2Time, Threads: 1, KeyLen: 32, SaltLen: 16},
		})
	if err != nil {
		return nil, err
	}
	if err := application.RotateSigningKeyOnSchedule(ctx); err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	return &Service{App: application, Handler: NewHandler(application, logger)}, nil
}

// NewHandler serves /query (POST, GET, WebSocket graphql-transport-ws, SSE), the JWKS at
// /.well-known/jwks.json, and the internal relations API. Ops endpoints are mounted by
// the caller.
func NewHandler(application *app.Application, logger *slog.Logger) http.Handler {
	srv := graphqlserver.New(generated.NewExecutableSchema(generated.Config{Resolvers: &graph.Resolver{App: application}}), logger, graphqlserver.Options{Subscriptions: true})

	mux := http.NewServeMux()
	mux.Handle("/query", withClientIP(srv))
	mux.HandleFunc("GET /.well-known/jwks.json", func(w http.ResponseWriter, r *http.Request) {
		body, err := application.JWKS(r.Context())
		if err != nil {
			logger.ErrorContext(r.Context(), "jwks", "error", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.Header().Set("Cache-Control", "public, max-age=60")
		_, _ = w.Write(body)
	})
	// The relation API answers services only (a signed service token): a relation write
	// makes someone a restaurant's owner or staff.
	mux.Handle("GET /internal/relations/check", authz.RequireService(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		ok, err := application.CheckRelation(r.Context(), q.Get("namespace"), q.Get("object"), q.Get("relation"), q.Get("subject"))
		if err != nil {
			writeAPIError(w, r, logger, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]bool{"allowed": ok})
	})))
	mux.Handle("GET /internal/relations/subjects", authz.RequireService(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		subjects, err := application.RelationSubjects(r.Context(), q.Get("namespace"), q.Get("object"), q.Get("relation"))
		if err != nil {
			writeAPIError(w, r, logger, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string][]string{"subjects": subjects})
	})))
	mux.Handle("POST /internal/relations", authz.RequireService(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Namespace, Object, Relation, Subject string
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&body); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"code": "BAD_USER_INPUT", "message": "body must be a JSON tuple"})
			return
		}
		in, err := application.WriteRelation(r.Context(), body.Namespace, body.Object, body.Relation, body.Subject)
		if err != nil {
			writeAPIError(w, r, logger, err)
			return
		}
		writeJSON(w, http.StatusCreated, map[string]string{"tuple": in.String()})
	})))
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeAPIError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	var ge *graphqlerr.Error
	if errors.As(err, &ge) && ge.Code == graphqlerr.CodeBadUserInput {
		writeJSON(w, http.StatusBadRequest, map[string]string{"code": string(ge.Code), "field": ge.Field, "message": ge.Message})
		return
	}
	logger.ErrorContext(r.Context(), "internal relations api", "error", err)
	writeJSON(w, http.StatusInternalServerError, map[string]string{"code": "INTERNAL", "message": "internal error"})
}

// withClientIP records the peer address for login rate limiting; a request through the
// router is counted against the client address the router signed instead (graph).
func withClientIP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip := r.RemoteAddr
		if host, _, err := net.SplitHostPort(ip); err == nil {
			ip = host
		}
		next.ServeHTTP(w, r.WithContext(graph.WithClientIP(r.Context(), ip)))
	})
}
