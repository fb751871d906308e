package domain

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"slices"
	"sort"
	"strings"
	texttemplate "text/template"
	"text/template/parse"
	"time"

	"gopkg.in/yaml.v3"
)

// ParamType is the type of a template parameter.
type ParamType string

const (
	ParamText  ParamType = "text"
	ParamMoney ParamType = "money"
	ParamInt   ParamType = "int"
	ParamTime  ParamType = "time"
)

// Money is an amount in minor units of an ISO 4217 currency.
type Money struct {
	AmountMinor int64
	Currency    string
}

// String renders money with two decimals (every currency DizhTime runs in has them).
func (m Money) String() string {
	sign := ""
	n := m.AmountMinor
	if n < 0 {
		sign, n = "-", -n
	}
	return fmt.Sprintf("%s%d.%02d %s", sign, n/100, n%100, m.Currency)
}

// Params are a template's arguments by name.
type Params map[string]any

// Locales every template must be written in; DefaultLocale is the fallback.
var Locales = []string{"en", "ru"}

// DefaultLocale is used when a user's locale has no text.
const DefaultLocale = "en"

// Template is one kind of notification in every locale, with the parameters its texts use.
type Template struct {
	Kind     string
	Category Category
	// Transactional messages (order status, security) ignore quiet hours; they still
	// respect opt-outs.
	Transactional bool
	Channels      []Channel
	Params        map[string]ParamType
	texts         map[string]texts
}

type texts struct {
	title, body *texttemplate.Template
}

// Rendered is a template's output in one locale.
type Rendered struct {
	Locale, Title, Body, HTML string
}

// Catalog is every template by kind.
type Catalog struct {
	byKind map[string]*Template
}

type catalogFile struct {
	Templates []struct {
		Kind          string               `yaml:"kind"`
		Category      Category             `yaml:"category"`
		Transactional bool                 `yaml:"transactional"`
		Channels      []Channel            `yaml:"channels"`
		Params        map[string]ParamType `yaml:"params"`
		Text          map[string]struct {
			Title string `yaml:"title"`
			Body  string `yaml:"body"`
		} `yaml:"text"`
	} `yaml:"templates"`
}

// ParseCatalog reads a YAML catalog and checks every template: a known category and
// channels, typed parameters, a text in every locale of Locales, and no text using a
// parameter the template does not declare (an error here is an error at start, not a
// blank in a message).
func ParseCatalog(data []byte) (*Catalog, error) {
	var f catalogFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("template catalog: %w", err)
	}
	c := &Catalog{byKind: map[string]*Template{}}
	var errs []error
	for _, t := range f.Templates {
		if t.Kind == "" {
			errs = append(errs, errors.New("a template has no kind"))
			continue
		}
		if _, dup := c.byKind[t.Kind]; dup {
			errs = append(errs, fmt.Errorf("template %s: defined twice", t.Kind))
			continue
		}
		tpl := &Template{Kind: t.Kind, Category: t.Category, Transactional: t.Transactional, Channels: t.Channels,
			Params: t.Params, texts: map[string]texts{}}
		if tpl.Params == nil {
			tpl.Params = map[string]ParamType{}
		}
		if !t.Category.Valid() {
			errs = append(errs, fmt.Errorf("template %s: unknown category %q", t.Kind, t.Category))
		}
		for _, ch := range t.Channels {
			if !ch.Valid() {
				errs = append(errs, fmt.Errorf("template %s: unknown channel %q", t.Kind, ch))
			}
		}
		for name, typ := range tpl.Params {
			if !slices.Contains([]ParamType{ParamText, ParamMoney, ParamInt, ParamTime}, typ) {
				errs = append(errs, fmt.Errorf("template %s: parameter %s has unknown type %q", t.Kind, name, typ))
			}
		}
		for _, loc := range Locales {
			if _, ok := t.Text[loc]; !ok {
				errs = append(errs, fmt.Errorf("template %s: no %s text", t.Kind, loc))
			}
		}
		for loc, x := range t.Text {
			title, err1 := parseText(t.Kind, loc, "title", x.Title, tpl.Params)
			body, err2 := parseText(t.Kind, loc, "body", x.Body, tpl.Params)
			if err := errors.Join(err1, err2); err != nil {
				errs = append(errs, err)
				continue
			}
			tpl.texts[loc] = texts{title: title, body: body}
		}
		c.byKind[t.Kind] = tpl
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("template catalog: %w", err)
	}
	return c, nil
}

func parseText(kind, loc, part, src string, params map[string]ParamType) (*texttemplate.Template, error) {
	if strings.TrimSpace(src) == "" {
		return nil, fmt.Errorf("template %s (%s): empty %s", kind, loc, part)
	}
	t, err := texttemplate.New(kind + "." + loc + "." + part).Option("missingkey=error").Parse(src)
	if err != nil {
		return nil, fmt.Errorf("template %s (%s) %s: %w", kind, loc, part, err)
	}
	var errs []error
	for _, name := range fieldsOf(t.Tree.Root) {
		if _, ok := params[name]; !ok {
			errs = append(errs, fmt.Errorf("template %s (%s) %s uses .%s, which is not a declared parameter", kind, loc, part, name))
		}
	}
	return t, errors.Join(errs...)
}

// fieldsOf lists the top-level fields (.Name) a template tree refers to.
func fieldsOf(n parse.Node) []string {
	var out []string
	var walk func(parse.Node)
	walk = func(n parse.Node) {
		switch x := n.(type) {
		case *parse.ListNode:
			if x != nil {
				for _, c := range x.Nodes {
					walk(c)
				}
			}
		case *parse.ActionNode:
			walk(x.Pipe)
		case *parse.PipeNode:
			if x != nil {
				for _, c := range x.Cmds {
					walk(c)
				}
			}
		case *parse.CommandNode:
			for _, a := range x.Args {
				walk(a)
			}
		case *parse.FieldNode:
			out = append(out, x.Ident[0])
		case *parse.IfNode:
			walk(x.Pipe)
			walk(x.List)
			walk(x.ElseList)
		case *parse.RangeNode:
			walk(x.Pipe)
			walk(x.List)
			walk(x.ElseList)
		case *parse.WithNode:
			walk(x.Pipe)
			walk(x.List)
			walk(x.ElseList)
		}
	}
	walk(n)
	return out
}

// Get returns the template of kind.
func (c *Catalog) Get(kind string) (*Template, bool) {
	t, ok := c.byKind[kind]
	return t, ok
}

// Kinds lists every kind, sorted.
func (c *Catalog) Kinds() []string {
	out := make([]string, 0, len(c.byKind))
	for k := range c.byKind {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Require checks that kind exists and that provided, the parameters a workflow supplies,
// are exactly the template's (names and types): workflows call it when they are loaded.
func (c *Catalog) Require(kind string, provided map[string]ParamType) error {
	t, ok := c.byKind[kind]
	if !ok {
		return fmt.Errorf("workflow needs template %s, which the catalog does not have", kind)
	}
	var errs []error
	for name, typ := range t.Params {
		got, ok := provided[name]
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("template %s: parameter %s (%s) is not supplied by its workflow", kind, name, typ))
		case got != typ:
			errs = append(errs, fmt.Errorf("template %s: parameter %s is %s, its workflow supplies %s", kind, name, typ, got))
		}
	}
	return errors.Join(errs...)
}

// Render fills the template in locale (DefaultLocale when the locale has no text). Every
// declared parameter must be present with its type.
func (t *Template) Render(locale string, p Params) (Rendered, error) {
	for name, typ := range t.Params {
		v, ok := p[name]
		if !ok {
			return Rendered{}, invalid("params."+name, "missing for template "+t.Kind)
		}
		if !typeMatches(typ, v) {
			return Rendered{}, invalid("params."+name, fmt.Sprintf("template %s wants %s, got %T", t.Kind, typ, v))
		}
	}
	x, ok := t.texts[locale]
	if !ok {
		locale = DefaultLocale
		x = t.texts[locale]
	}
	data := map[string]any{}
	for k, v := range p {
		switch val := v.(type) {
		case time.Time:
			data[k] = val.UTC().Format("15:04")
		default:
			data[k] = v
		}
	}
	var title, body bytes.Buffer
	if err := x.title.Execute(&title, data); err != nil {
		return Rendered{}, fmt.Errorf("render %s title: %w", t.Kind, err)
	}
	if err := x.body.Execute(&body, data); err != nil {
		return Rendered{}, fmt.Errorf("render %s body: %w", t.Kind, err)
	}
	var html bytes.Buffer
	if err := emailLayout.Execute(&html, map[string]string{"Title": title.String(), "Body": body.String(), "Lang": locale}); err != nil {
		return Rendered{}, err
	}
	return Rendered{Locale: locale, Title: title.String(), Body: body.String(), HTML: html.String()}, nil
}

func typeMatches(t ParamType, v any) bool {
	switch t {
	case ParamText:
		_, ok := v.(string)
		return ok
	case ParamMoney:
		_, ok := v.(Money)
		return ok
	case ParamInt:
		switch v.(type) {
		case int, int64:
			return true
		}
	case ParamTime:
		_, ok := v.(time.Time)
		return ok
	}
	return false
}

// emailLayout is the HTML part of every email; html/template escapes the rendered texts.
var emailLayout = template.Must(template.New("email").Parse(`<!doctype html>
<html lang="{{.Lang}}"><body style="font-family:sans-serif">
<h2>{{.Title}}</h2>
<p>{{.Body}}</p>
<p style="color:#888;font-size:12px">DizhTime</p>
</body></html>`))
