package webjoin

import (
	"net/http"
	"strings"
)

// The join page speaks the participant's language: English or Japanese.
// A lang query parameter on the link (?lang=ja, which the rep's Pitchline
// adds from its own UI language) wins; else the browser's Accept-Language
// (RFC 9110 §12.5.4), first listed language that is English or Japanese
// and not refused with q=0; else English. join.js reads <html lang> for
// the messages it shows while joining.

// Languages are the page languages, the default first.
var Languages = []string{"en", "ja"}

// pageLang picks the page language of a request.
func pageLang(r *http.Request) string {
	if l := matchLang(r.URL.Query().Get("lang")); l != "" {
		return l
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if q, ok := strings.CutPrefix(strings.ReplaceAll(strings.TrimSpace(params), " ", ""), "q="); ok && strings.Trim(q, "0.") == "" {
			continue // q=0: not acceptable
		}
		if l := matchLang(tag); l != "" {
			return l
		}
	}
	return Languages[0]
}

// matchLang maps a language tag (ja, ja-JP, EN-us) to a page language, ""
// when it is neither.
func matchLang(tag string) string {
	primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
	for _, l := range Languages {
		if primary == l {
			return l
		}
	}
	return ""
}

// pageText holds each page's words per language. Keys are the template's
// field names (.T.Title and so on).
type pageText struct {
	Title, Status, Retry, Leave, Details, Note string
}

var texts = map[string]map[string]pageText{
	"en": {
		"join": {Title: "Join the call", Status: "Getting ready…", Retry: "Try again", Leave: "Leave the call",
			Details: "Technical details", Note: "Your browser will ask to use your microphone. Nothing is recorded by this page."},
		"used": {Title: "This link was already used",
			Status: "Each join link works once, and this one has already been used. If you left the call by mistake, ask the person who sent it for a new link."},
		"expired": {Title: "This link has expired",
			Status: "Join links only work for a short time, and this one has run out. Ask the person who sent it for a new link."},
		"notfound": {Title: "This link does not work",
			Status: "This join link is not valid. Check that you copied the whole link, or ask the person who sent it for a new one."},
	},
	"ja": {
		"join": {Title: "通話に参加", Status: "準備しています…", Retry: "もう一度試す", Leave: "通話から退出",
			Details: "技術的な詳細", Note: "ブラウザーがマイクの使用許可を求めます。このページは何も録音しません。"},
		"used": {Title: "このリンクは使用済みです",
			Status: "参加リンクは一度しか使えず、このリンクはすでに使われています。誤って退出した場合は、送ってくれた人に新しいリンクを依頼してください。"},
		"expired": {Title: "このリンクは期限切れです",
			Status: "参加リンクの有効期間は短く、このリンクは期限が切れています。送ってくれた人に新しいリンクを依頼してください。"},
		"notfound": {Title: "このリンクは使えません",
			Status: "この参加リンクは無効です。リンク全体をコピーしたか確認するか、送ってくれた人に新しいリンクを依頼してください。"},
	},
}

// pageData is what a page template is executed with.
type pageData struct {
	Lang string
	T    pageText
}
