package domain

import (
	"regexp"
	"strings"
)

// Tuple is a Keto-style relation tuple namespace:object#relation@subject, e.g.
// restaurant:42#owner@user:7.
type Tuple struct {
	Namespace string
	Object    string
	Relation  string
	Subject   string
}

func (t Tuple) String() string {
	return t.Namespace + ":" + t.Object + "#" + t.Relation + "@" + t.Subject
}

var (
	nameRE    = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)
	objectRE  = regexp.MustCompile(`^[A-Za-z0-9_\-]{1,128}$`)
	subjectRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}:[A-Za-z0-9_\-]{1,128}$`)
)

// Known relations per namespace; a tuple outside them is refused.
var relations = map[string][]string{
	"restaurant": {"owner", "staff"},
}

// NewTuple validates a tuple.
func NewTuple(namespace, object, relation, subject string) (Tuple, error) {
	t := Tuple{Namespace: namespace, Object: object, Relation: relation, Subject: subject}
	if !nameRE.MatchString(namespace) {
		return Tuple{}, invalid("namespace", "namespace is not valid")
	}
	if !objectRE.MatchString(object) {
		return Tuple{}, invalid("object", "object is not valid")
	}
	known := false
	for _, r := range relations[namespace] {
		known = known || r == relation
	}
	if !known {
		return Tuple{}, invalid("relation", "relation is not known in namespace "+namespace)
	}
	if !subjectRE.MatchString(subject) {
		return Tuple{}, invalid("subject", "subject must look like user:<id>")
	}
	return t, nil
}

// Implied returns the tuples whose presence also grants t: the rewrite rules. An owner
// of a restaurant is also its staff.
func Implied(t Tuple) []Tuple {
	if t.Namespace == "restaurant" && t.Relation == "staff" {
		owner := t
		owner.Relation = "owner"
		return []Tuple{owner}
	}
	return nil
}

// UserSubject is the subject for a user id.
func UserSubject(userID string) string { return "user:" + userID }

// SubjectUserID returns the user id of a user:<id> subject.
func SubjectUserID(subject string) (string, bool) {
	return strings.CutPrefix(subject, "user:")
}
