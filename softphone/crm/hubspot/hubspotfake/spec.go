package hubspotfake

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	// kin-openapi loads HubSpot's own OpenAPI 3 specs and validates each
	// request against them, so the fake rejects what HubSpot's schema
	// rejects instead of what we guessed.
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

//go:embed openapi/*.json
var specFS embed.FS

// specFiles maps an object type in /crm/v3/objects/{type} to its spec.
var specFiles = map[string]string{
	"calls":     "openapi/calls.json",
	"contacts":  "openapi/contacts.json",
	"companies": "openapi/companies.json",
	"deals":     "openapi/deals.json",
	"tasks":     "openapi/tasks.json",
	// The v4 associations API (/crm/v4/...), keyed by a name no object
	// type uses.
	v4Spec: "openapi/associations.json",
	// The Lists API v3 (/crm/v3/lists/...).
	listsSpec: "openapi/lists.json",
}

// listsSpec is the specFiles key of the lists spec.
const listsSpec = "lists v3"

// v4Spec is the specFiles key of the v4 associations spec.
const v4Spec = "associations v4"

// specs holds the loaded documents, one per object type.
type specs map[string]*openapi3.T

// loadSpecs parses and checks the embedded specs once per process (about
// 0.6 s of CPU, the lists spec alone 0.25 s): every Server shares the
// result, which is only read afterwards, as one Server's concurrent
// requests already do.
var loadSpecs = sync.OnceValues(parseSpecs)

func parseSpecs() (specs, error) {
	out := specs{}
	for typ, file := range specFiles {
		data, err := specFS.ReadFile(file)
		if err != nil {
			return nil, err
		}
		doc, err := openapi3.NewLoader().LoadFromData(data)
		if err != nil {
			return nil, fmt.Errorf("hubspotfake: load %s: %w", file, err)
		}
		// HubSpot's files carry "example": null on object schemas, which
		// the strict validator refuses; everything else must be valid.
		if err := doc.Validate(context.Background(), openapi3.DisableExamplesValidation()); err != nil {
			return nil, fmt.Errorf("hubspotfake: spec %s: %w", file, err)
		}
		out[typ] = doc
	}
	return out, nil
}

// errNoRoute means the request's path is not in any vendored spec.
var errNoRoute = errors.New("hubspotfake: no spec route")

// route finds the spec operation for a /crm/v3/objects/... request.
// Deals are specified under their object type id, 0-3.
func (sp specs) route(r *http.Request) (*routers.Route, error) {
	p := r.URL.Path
	if strings.HasPrefix(p, "/crm/v4/") {
		doc := sp[v4Spec]
		item, specPath := findTemplated(doc, p)
		if item == nil || item.GetOperation(r.Method) == nil {
			return nil, errNoRoute
		}
		return &routers.Route{Spec: doc, Path: specPath, PathItem: item, Method: r.Method, Operation: item.GetOperation(r.Method)}, nil
	}
	if p == "/crm/v3/lists" || strings.HasPrefix(p, "/crm/v3/lists/") {
		doc := sp[listsSpec]
		// A literal path (/crm/v3/lists/search) wins over a template
		// (/crm/v3/lists/{listId}) that also matches it.
		item, specPath := doc.Paths.Value(p), p
		if item == nil {
			item, specPath = findTemplated(doc, p)
		}
		if item == nil || item.GetOperation(r.Method) == nil {
			return nil, errNoRoute
		}
		return &routers.Route{Spec: doc, Path: specPath, PathItem: item, Method: r.Method, Operation: item.GetOperation(r.Method)}, nil
	}
	rest, ok := strings.CutPrefix(p, "/crm/v3/objects/")
	if !ok {
		return nil, errNoRoute
	}
	typ, tail, _ := strings.Cut(rest, "/")
	doc := sp[typ]
	if doc == nil {
		return nil, errNoRoute
	}
	specPath := p
	if typ == "deals" {
		specPath = "/crm/v3/objects/0-3"
		if tail != "" {
			specPath += "/" + tail
		}
	}
	item := doc.Paths.Find(specPath)
	if item == nil {
		return nil, errNoRoute
	}
	op := item.GetOperation(r.Method)
	if op == nil {
		return nil, errNoRoute
	}
	return &routers.Route{Spec: doc, Path: specPath, PathItem: item, Method: r.Method, Operation: op}, nil
}

// validate checks r (headers, query and body) against the spec. The body
// is read and restored by openapi3filter.
func (sp specs) validate(r *http.Request) error {
	route, err := sp.route(r)
	if err != nil {
		return err
	}
	in := &openapi3filter.RequestValidationInput{
		Request:    r,
		Route:      route,
		PathParams: pathParams(route.Path, r.URL.Path),
		Options: &openapi3filter.Options{
			// The fake checks the Bearer token itself (HubSpot's specs
			// describe OAuth and private-app schemes we do not model).
			AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
			MultiError:         true,
		},
	}
	return openapi3filter.ValidateRequest(r.Context(), in)
}

// findTemplated finds the spec path template ("/crm/v4/objects/{a}/...")
// that matches p segment by segment, and returns it with its item.
func findTemplated(doc *openapi3.T, p string) (*openapi3.PathItem, string) {
	segs := strings.Split(p, "/")
	for tmpl, item := range doc.Paths.Map() {
		ts := strings.Split(tmpl, "/")
		if len(ts) != len(segs) {
			continue
		}
		ok := true
		for i := range ts {
			if ts[i] != segs[i] && !(strings.HasPrefix(ts[i], "{") && strings.HasSuffix(ts[i], "}") && segs[i] != "") {
				ok = false
				break
			}
		}
		if ok {
			return item, tmpl
		}
	}
	return nil, ""
}

// pathParams maps the {names} of a spec path template to the request
// path's segments.
func pathParams(tmpl, p string) map[string]string {
	ts, ps := strings.Split(tmpl, "/"), strings.Split(p, "/")
	if len(ts) != len(ps) {
		return nil
	}
	out := map[string]string{}
	for i, t := range ts {
		if name, ok := strings.CutPrefix(t, "{"); ok && strings.HasSuffix(name, "}") {
			out[strings.TrimSuffix(name, "}")] = ps[i]
		}
	}
	return out
}
