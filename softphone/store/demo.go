package store

import (
	"context"
	"fmt"

	"github.com/google/uuid"
)

// demoNS derives the fixed ids of the demo records, which is what makes
// SeedDemo idempotent.
var demoNS = uuid.MustParse("6f1c3a52-5d1e-4a8e-9a57-3f0b0c1d2e01")

func demoID(kind, name string) string { return uuid.NewSHA1(demoNS, []byte(kind+"/"+name)).String() }

// SeedDemo writes a small demo data set (companies, contacts, deals in USD
// and JPY, including Japanese contacts with +81 numbers). Running it again
// changes nothing: the records have fixed ids.
func (s *Store) SeedDemo(ctx context.Context) error {
	companies := []Company{
		{Name: "Marcom", Address: "12 Harbour Street, Boston, MA", Domain: "marcom.example"},
		{Name: "Acme Logistics", Address: "400 Depot Lane, Columbus, OH", Domain: "acme-logistics.example"},
		{Name: "Brightside Health", Address: "1 Kingsway, London", Domain: "brightside.example"},
		{Name: "中村商事", Address: "東京都千代田区丸の内1-1-1", Domain: "nakamura-shoji.example"},
	}
	for i := range companies {
		companies[i].ID = demoID("company", companies[i].Name)
		if err := s.UpsertCompany(ctx, &companies[i]); err != nil {
			return fmt.Errorf("store: seed demo: %w", err)
		}
	}
	co := func(name string) string { return demoID("company", name) }
	contacts := []Contact{
		{FirstName: "Margaret", LastName: "Lee", Title: "VP Sales", Email: "margaret.lee@marcom.example", CompanyID: co("Marcom"),
			TimeZone: "America/New_York", Phones: []Phone{{Label: "work", Raw: "+1 (555) 010-0199"}}},
		{FirstName: "Mark", LastName: "Thompson", Title: "Operations Director", Email: "mark@acme-logistics.example",
			CompanyID: co("Acme Logistics"), TimeZone: "America/New_York", Phones: []Phone{
				{Label: "work", Raw: "+1 555-010-0142"}, {Label: "mobile", Raw: "(555) 010-0143"}, {Label: "home", Raw: "555.010.0144"}}},
		{FirstName: "Simon", LastName: "Martin", Title: "Procurement", Email: "s.martin@brightside.example",
			CompanyID: co("Brightside Health"), TimeZone: "Europe/London", Phones: []Phone{{Label: "work", Raw: "+44 20 7946 0958"}}},
		{FirstName: "Priya", LastName: "Patel", Title: "Owner", Email: "priya@patel-bakery.example",
			Address: "221 Martin Road, Springfield, IL", TimeZone: "America/Chicago", Phones: []Phone{{Label: "mobile", Raw: "+1 555 010 0177"}}},
		{FirstName: "Dana", LastName: "Kowalski", Title: "Buyer", Email: "dana@marcom.example", CompanyID: co("Marcom"),
			Phones: []Phone{{Label: "work", Raw: "+1 555 010 0188"}}},
		{FirstName: "太郎", LastName: "田中", Title: "部長", Email: "tanaka@nakamura-shoji.example", CompanyID: co("中村商事"),
			TimeZone: "Asia/Tokyo", Phones: []Phone{{Label: "work", Raw: "+81 3-1234-5678"}}},
		{FirstName: "花子", LastName: "佐藤", Title: "課長", Email: "sato@nakamura-shoji.example", CompanyID: co("中村商事"),
			TimeZone: "Asia/Tokyo", Phones: []Phone{{Label: "mobile", Raw: "+81 90-1234-5678"}, {Label: "work", Raw: "+81 6-6123-4567"}}},
	}
	for i := range contacts {
		contacts[i].ID = demoID("contact", contacts[i].Email)
		if err := s.UpsertContact(ctx, &contacts[i]); err != nil {
			return fmt.Errorf("store: seed demo: %w", err)
		}
	}
	ct := func(email string) string { return demoID("contact", email) }
	deals := []Deal{
		{Name: "Marcom renewal", Amount: "48000", Currency: "USD", Stage: "Negotiation", CompanyID: co("Marcom"),
			ContactIDs: []string{ct("margaret.lee@marcom.example"), ct("dana@marcom.example")}},
		{Name: "Marcom 2024 licence", Amount: "30000", Currency: "USD", Stage: "Closed Won", CompanyID: co("Marcom"),
			ContactIDs: []string{ct("margaret.lee@marcom.example")}},
		{Name: "Acme fleet pilot", Amount: "12500.00", Currency: "USD", Stage: "Proposal", CompanyID: co("Acme Logistics"),
			ContactIDs: []string{ct("mark@acme-logistics.example")}},
		{Name: "中村商事 年間契約", Amount: "3600000", Currency: "JPY", Stage: "Qualified", CompanyID: co("中村商事"),
			ContactIDs: []string{ct("tanaka@nakamura-shoji.example"), ct("sato@nakamura-shoji.example")}},
	}
	for i := range deals {
		deals[i].ID = demoID("deal", deals[i].Name)
		old, err := s.Deal(ctx, deals[i].ID)
		if err == nil {
			deals[i].Updated = old.Updated // keep "most recent deal" stable across reseeds
		}
		if err := s.UpsertDeal(ctx, &deals[i]); err != nil {
			return fmt.Errorf("store: seed demo: %w", err)
		}
	}
	return nil
}
