package city

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/platform/routertest"
)

// TestWebDeadLetters_theAdminReplaysOneLetterAndDiscardsAnotherOnTheScreen runs the built
// admin app (web/apps/admin, `make web-build`) in Debian's chromium through playwright-core
// (web/e2e/deadletters.mjs) against the real platform: two poison notifications are parked
// while the notifications store refuses them (as TestDeadLetters), the store is repaired,
// and the admin, on #/dead-letters, replays the first and discards the second. The
// customer's inbox then holds the first exactly once and never the second; axe-core finds
// no serious violation on the screen.
func TestWebDeadLetters_theAdminReplaysOneLetterAndDiscardsAnotherOnTheScreen(t *testing.T) {
	root, err := routertest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(root, "web", "e2e", "deadletters.mjs")
	chromium := browserReady(t, root, "admin")
	origin := serveApps(t, root, "admin")

	boot, stop := context.WithTimeout(context.Background(), 25*time.Minute)
	defer stop()
	city := startRealCity(t, boot)
	ctx, cancel := context.WithTimeout(boot, 6*time.Minute)
	defer cancel()
	drill := startDeadLetterDrill(t, ctx, city)
	replay := drill.parkPoison(t, ctx, "the drill to replay")
	discard := drill.parkPoison(t, ctx, "the drill to discard")
	drill.repair(t, ctx)

	artifacts := filepath.Join(root, "web", "e2e", "artifacts", city.run+"-deadletters")
	runBrowserScript(t, ctx, root, script, []string{
		"WEB_E2E_BASE=" + origin, "WEB_E2E_ROUTER=" + city.RouterURL, "WEB_E2E_PASSWORD=" + password,
		"WEB_E2E_ADMIN_EMAIL=" + drill.admin.Email, "WEB_E2E_DLQ_TOPIC=" + replay.Topic,
		"WEB_E2E_REPLAY_EVENT=" + replay.EventID, "WEB_E2E_DISCARD_EVENT=" + discard.EventID,
		"WEB_E2E_ARTIFACTS=" + artifacts, "WEB_E2E_CHROMIUM=" + chromium,
	}, nil)

	// The outcome as the API has it: the replayed event applied once, the discarded never.
	drill.awaitInbox(t, ctx, replay.EventID, "the drill to replay", 1)
	drill.awaitConsumed(t, ctx)
	if got := drill.inboxCount(t, ctx, "the drill to replay"); got != 1 {
		t.Errorf("the replayed notification is in the inbox %d times, want exactly once", got)
	}
	if got := drill.inboxCount(t, ctx, "the drill to discard"); got != 0 {
		t.Errorf("the discarded notification reached the inbox %d times", got)
	}
	if l := drill.letter(t, ctx, discard.EventID); l != nil {
		t.Errorf("the discarded letter is still listed: %+v", l)
	}
}
