package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// HTTPServer runs srv on srv.Addr as a Component. When its context is cancelled it
// stops accepting connections and gives in-flight requests up to shutdownTimeout to
// finish (http.Server.Shutdown).
func HTTPServer(name string, srv *http.Server, shutdownTimeout time.Duration) Component {
	return httpServer{name: name, srv: srv, timeout: shutdownTimeout}
}

// HTTPServerOn is HTTPServer serving on an already bound listener, for example one on
// port 0 whose address the caller needs before starting.
func HTTPServerOn(name string, srv *http.Server, ln net.Listener, shutdownTimeout time.Duration) Component {
	return httpServer{name: name, srv: srv, ln: ln, timeout: shutdownTimeout}
}

type httpServer struct {
	name    string
	srv     *http.Server
	ln      net.Listener
	timeout time.Duration
}

func (s httpServer) Name() string { return s.name }

func (s httpServer) Run(ctx context.Context) error {
	ln := s.ln
	if ln == nil {
		var err error
		if ln, err = (&net.ListenConfig{}).Listen(ctx, "tcp", s.srv.Addr); err != nil {
			return fmt.Errorf("listen: %w", err)
		}
	}

	served := make(chan error, 1)
	go func() { served <- s.srv.Serve(ln) }()

	select {
	case err := <-served: // failed without being asked to stop
		return fmt.Errorf("serve %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}

	// ctx is already cancelled; the drain needs a deadline of its own.
	drainCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.timeout)
	defer cancel()
	if err := s.srv.Shutdown(drainCtx); err != nil {
		_ = s.srv.Close()
		return fmt.Errorf("drain in-flight requests: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve %s: %w", ln.Addr(), err)
	}
	return nil
}
