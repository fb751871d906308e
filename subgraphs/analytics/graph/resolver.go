package graph

import (
	"log/slog"

	"github.com/dizhtime/dizhtime/subgraphs/analytics/app"
)

// Resolver serves the schema from the application's queries.
type Resolver struct {
	Queries *app.Queries
	// DeadLetterAdmin serves the dead-letter queues' fields.
	DeadLetterAdmin *app.DeadLetters
	Logger          *slog.Logger
}
