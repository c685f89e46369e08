package closetest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	"github.com/paragon-go/paragon/close/closetest"
)

func ExampleNewServer() {
	srv := closetest.NewServer() // a fake https://api.close.com
	defer srv.Close()
	for _, name := range []string{"Acme Corp", "Globex"} {
		if _, err := srv.CreateLead(map[string]any{"name": name}); err != nil {
			log.Fatal(err)
		}
	}

	q := url.QueryEscape(`name:acme sort:-created`)
	resp, err := srv.Client().Get(srv.URL + "/api/v1/lead/?query=" + q)
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var page struct {
		Data []struct {
			DisplayName string `json:"display_name"`
		} `json:"data"`
		TotalResults int `json:"total_results"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode, page.TotalResults, page.Data[0].DisplayName)
	// Output: 200 1 Acme Corp
}

func ExampleFake_FlushWebhooks() {
	srv := closetest.NewServer()
	defer srv.Close()

	// Your webhook endpoint, checking Close's signature.
	var key string
	got := make(chan string, 1)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		want, _ := closetest.SignWebhook(key, body, unix(r.Header.Get("close-sig-timestamp")))
		var p struct {
			Event struct {
				ObjectType string `json:"object_type"`
				Action     string `json:"action"`
			} `json:"event"`
		}
		_ = json.Unmarshal(body, &p)
		got <- fmt.Sprintf("%s.%s signed=%v", p.Event.ObjectType, p.Event.Action, want.Get("close-sig-hash") == r.Header.Get("close-sig-hash"))
	}))
	defer hook.Close()

	resp, err := srv.Client().Post(srv.URL+"/api/v1/webhook/", "application/json", strings.NewReader(
		`{"url": "`+hook.URL+`", "events": [{"object_type": "lead", "action": "created"}]}`))
	if err != nil {
		log.Fatal(err)
	}
	var sub struct {
		SignatureKey string `json:"signature_key"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&sub)
	_ = resp.Body.Close()
	key = sub.SignatureKey

	if _, err := srv.CreateLead(map[string]any{"name": "Acme"}); err != nil {
		log.Fatal(err)
	}
	if err := srv.FlushWebhooks(context.Background()); err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode, <-got)
	// Output: 201 lead.created signed=true
}

func unix(s string) time.Time {
	var n int64
	_, _ = fmt.Sscan(s, &n)
	return time.Unix(n, 0)
}

func ExampleSignWebhook() {
	body := []byte(`{"subscription_id": "whsub_1", "event": {"id": "ev_1", "object_type": "lead", "action": "created"}}`)
	h, err := closetest.SignWebhook("9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c", body, time.Unix(1759340703, 0))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(h.Get("close-sig-timestamp"), len(h.Get("close-sig-hash")))
	// Output: 1759340703 64
}
