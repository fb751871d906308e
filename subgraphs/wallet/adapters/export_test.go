package adapters

import "github.com/dizhtime/dizhtime/subgraphs/wallet/app"

// Pipe is a flusher's pipelined connection, driven by hand.
type Pipe struct {
	repo *LedgerRepository
	p    *pipeConn
}

// OpenPipe takes a connection from r's pool into pipeline mode, as a flusher does.
func (r *LedgerRepository) OpenPipe() (*Pipe, error) {
	p, err := (&postBatcher{pool: r.pool, repo: r}).openPipe()
	if err != nil {
		return nil, err
	}
	return &Pipe{repo: r, p: p}, nil
}

// Send sends reqs as one batch behind those already sent.
func (p *Pipe) Send(reqs []app.PostRequest) error { return p.p.send(p.repo.audit, reqs) }

// Read answers the oldest batch sent and not yet read, as PostBatch would.
func (p *Pipe) Read(reqs []app.PostRequest) ([]app.PostResult, []error, error) {
	return splitOutcomes(p.p.read(reqs))
}

// Break cancels the pipeline's context, as the watchdog does when a batch takes too long.
func (p *Pipe) Break() { p.p.stop() }

// Retiring reports whether a flusher would stop sending on the connection.
func (p *Pipe) Retiring() bool { return p.p.retiring() }

// Closed reports whether the connection is closed.
func (p *Pipe) Closed() bool { return p.p.conn.Conn().PgConn().IsClosed() }

// Release ends pipeline mode and gives the connection back (or closes it).
func (p *Pipe) Release() { p.p.release() }
