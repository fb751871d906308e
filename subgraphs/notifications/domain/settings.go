package domain

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// QuietHours is a daily span [Start, End) in minutes after midnight; End < Start spans
// midnight (22:00-07:00).
type QuietHours struct {
	Start, End int
}

var hhmm = regexp.MustCompile(`^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$`)

// ParseQuietHours reads "HH:MM-HH:MM".
func ParseQuietHours(s string) (QuietHours, error) {
	m := hhmm.FindStringSubmatch(s)
	if m == nil {
		return QuietHours{}, invalid("quietHours", "must be HH:MM-HH:MM, got "+strconv.Quote(s))
	}
	at := func(h, mm string) int { a, _ := strconv.Atoi(h); b, _ := strconv.Atoi(mm); return a*60 + b }
	q := QuietHours{Start: at(m[1], m[2]), End: at(m[3], m[4])}
	if q.Start == q.End {
		return QuietHours{}, invalid("quietHours", "start and end must differ")
	}
	return q, nil
}

func (q QuietHours) String() string {
	return fmt.Sprintf("%02d:%02d-%02d:%02d", q.Start/60, q.Start%60, q.End/60, q.End%60)
}

// Until returns when the quiet hours containing t end, or the zero time when t is not in
// them. t's location is the user's.
func (q QuietHours) Until(t time.Time) time.Time {
	m := t.Hour()*60 + t.Minute()
	in := (q.Start < q.End && m >= q.Start && m < q.End) || (q.Start > q.End && (m >= q.Start || m < q.End))
	if !in {
		return time.Time{}
	}
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
	end := day.Add(time.Duration(q.End) * time.Minute)
	if !end.After(t) {
		end = end.AddDate(0, 0, 1)
	}
	return end
}

// Settings are a user's notification settings.
type Settings struct {
	UserID    string
	Email     string
	Phone     string
	PushToken string
	Locale    string
	TimeZone  string
	Quiet     *QuietHours
	// OptOuts: channels turned off per category.
	OptOuts map[Category]map[Channel]bool
}

// DefaultSettings are a user's settings before they change any.
func DefaultSettings(userID string) Settings {
	return Settings{UserID: userID, Locale: DefaultLocale, TimeZone: "UTC", OptOuts: map[Category]map[Channel]bool{}}
}

// Address is where ch reaches the user ("" when it does not).
func (s Settings) Address(ch Channel) string {
	switch ch {
	case ChannelEmail:
		return s.Email
	case ChannelSMS:
		return s.Phone
	case ChannelPush:
		return s.PushToken
	}
	return ""
}

// OptedOut reports whether the user turned ch off for cat.
func (s Settings) OptedOut(cat Category, ch Channel) bool { return s.OptOuts[cat][ch] }

// Decision is what to do with one message.
type Decision struct {
	Send bool
	// NotBefore delays a message to the end of quiet hours (zero: now).
	NotBefore time.Time
	// Reason says why a message is not sent.
	Reason string
}

// Decide applies the user's settings to a message of cat on ch at now: opt-outs and a
// missing address suppress it; quiet hours delay non-transactional messages to their end
// and never touch transactional ones (order status, security).
func (s Settings) Decide(cat Category, ch Channel, transactional bool, now time.Time) Decision {
	if s.OptedOut(cat, ch) {
		return Decision{Reason: fmt.Sprintf("opted out of %s on %s", cat, ch)}
	}
	if s.Address(ch) == "" {
		return Decision{Reason: "no " + string(ch) + " address"}
	}
	if transactional || s.Quiet == nil {
		return Decision{Send: true}
	}
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	return Decision{Send: true, NotBefore: s.Quiet.Until(now.In(loc))}
}

// ValidateLocale checks a locale against Locales.
func ValidateLocale(l string) error {
	for _, k := range Locales {
		if k == l {
			return nil
		}
	}
	return invalid("locale", fmt.Sprintf("must be one of %v", Locales))
}

// ValidateTimeZone checks an IANA zone name.
func ValidateTimeZone(z string) error {
	if _, err := time.LoadLocation(z); err != nil || z == "" {
		return invalid("timeZone", "must be an IANA time zone such as Asia/Tashkent")
	}
	return nil
}
