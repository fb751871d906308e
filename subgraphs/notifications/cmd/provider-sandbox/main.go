// Command provider-sandbox serves the Twilio-style SMS and FCM-style push sandbox
// (providersandbox) that records what notifications would send.
//
//	provider-sandbox [-addr 127.0.0.1:4017]
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/dizhtime/dizhtime/subgraphs/notifications/providersandbox"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:4017", "listen address")
	flag.Parse()
	srv := &http.Server{Addr: *addr, Handler: providersandbox.New().Handler(), ReadHeaderTimeout: 5 * time.Second}
	fmt.Printf("provider sandbox on http://%s (GET /sent lists what it would have sent)\n", *addr)
	log.Fatal(srv.ListenAndServe())
}
