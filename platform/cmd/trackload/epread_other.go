//go:build !linux

package main

import (
	"context"
	"errors"
	"net"
	"time"
)

// The epoll reader needs Linux; elsewhere -reader goroutine is the only one.

var errNoEpoll = errors.New("the epoll reader needs Linux: use -reader goroutine")

type rawSub struct{}

type epReader struct{}

type epConn struct{}

func subscribeRaw(context.Context, *net.Dialer, string, string, string) (*rawSub, error) {
	return nil, errNoEpoll
}

func newEpReader(int, time.Duration, bool) (*epReader, error) { return nil, errNoEpoll }
func (*epReader) add(*subscriber, *rawSub) error              { return errNoEpoll }
func (*epReader) stop()                                       {}
func (*epConn) close()                                        {}
