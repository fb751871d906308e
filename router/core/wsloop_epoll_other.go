//go:build !linux

package core

import (
	"errors"
	"net"
)

// wsPoller needs epoll; elsewhere the router serves WebSockets with a goroutine per
// connection.
type wsPoller struct{}

func newWSPoller() (*wsPoller, error) {
	return nil, errors.New("the WebSocket event loop needs epoll (linux)")
}

func socketFD(*net.TCPConn) (int, error) { return -1, errors.ErrUnsupported }

func (p *wsPoller) add(*wsConn, bool) error { return errors.ErrUnsupported }
func (p *wsPoller) rearm(*wsConn) error     { return errors.ErrUnsupported }
func (p *wsPoller) remove(*wsConn)          {}
func (p *wsPoller) count() int              { return 0 }
