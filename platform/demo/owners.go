package demo

import (
	"fmt"

	"github.com/google/uuid"
)

// Password is every demo account's password (laptop run only).
const Password = "dizhtime-demo"

// Owner is a seeded restaurant owner: a real account (RESTAURANT_OWNER) in identity.
type Owner struct {
	ID, Email, Name string
}

// namespace makes the owners' ids UUIDs no other generator produces.
var namespace = uuid.MustParse("3f9d2a61-8c47-4b1e-a0d5-2e6c7b8f9a10")

// ownerNames are the demo owners, in roster order; the seeder hands restaurant i to
// owner i mod len(ownerNames).
var ownerNames = []string{
	"Dilnoza Karimova", "Bekzod Yusupov", "Malika Rashidova", "Jasur Tursunov", "Nodira Alimova",
	"Sherzod Qodirov", "Gulnora Saidova", "Akmal Nazarov", "Zarina Ergasheva", "Otabek Mirzaev",
	"Feruza Xolmatova", "Rustam Ismoilov", "Kamola Abdullaeva", "Sardor Raximov", "Madina Umarova",
	"Ulugbek Sobirov", "Shahnoza Toshpulatova", "Davron Jurayev", "Lola Hamidova", "Timur Ahmedov",
	"Nigora Usmonova", "Farrux Botirov", "Dildora Sultonova", "Aziz Karimov", "Mohira Nematova",
	"Islom Valiev", "Sevara Yoqubova", "Bobur Hasanov", "Munisa Rahimova", "Eldor Fayzullaev",
	"Yulduz Qosimova", "Jamshid Murodov", "Oydin Salimova", "Ravshan Norboev", "Hilola Zokirova",
	"Anvar Shukurov", "Barno Mamatova", "Doston Ortiqov", "Laylo Tojiboeva", "Komil Xudoyberdiev",
}

// Owners is the roster, always the same ids, emails (owner1@demo.dizhtime.local, ...) and
// names in the same order.
func Owners() []Owner {
	out := make([]Owner, len(ownerNames))
	for i, name := range ownerNames {
		n := i + 1
		out[i] = Owner{
			ID:    uuid.NewSHA1(namespace, fmt.Appendf(nil, "owner/%d", n)).String(),
			Email: fmt.Sprintf("owner%d@demo.dizhtime.local", n),
			Name:  name,
		}
	}
	return out
}

// LegacyOwnerID is the id restaurants seeded before the roster carried for owner n
// (1-based), an id no account had: a seeder meeting one hands the restaurant to
// Owners()[n-1].
func LegacyOwnerID(n int) string { return fmt.Sprintf("demo-owner-%d", n) }
