package seed

import "github.com/dizhtime/dizhtime/subgraphs/restaurants/domain"

type cuisine struct {
	tags       []string
	prefixes   []string
	suffixes   []string
	adjective  string
	blurb      string
	priceLevel int
	categories []category
}

type category struct {
	name   string
	dishes []dish
}

// dish prices are in whole sum; the generator converts to tiyin.
type dish struct {
	name        string
	description string
	price       int64
	tags        []string
	groups      []group
}

type group struct {
	name     string
	min, max int
	options  []option
}

type option struct {
	name  string
	delta int64 // sum
}

func (g group) draft(cur string) domain.OptionGroupDraft {
	d := domain.OptionGroupDraft{Name: g.name, MinChoices: g.min, MaxChoices: g.max}
	for _, o := range g.options {
		d.Options = append(d.Options, domain.OptionDraft{Name: o.name, PriceDeltaMinor: o.delta * 100, Currency: cur, Available: true})
	}
	return d
}

var (
	size     = group{"Size", 1, 1, []option{{"Regular", 0}, {"Large", 12000}}}
	portion  = group{"Portion", 1, 1, []option{{"Half", -0}, {"Full", 15000}, {"Family (4)", 90000}}}
	spice    = group{"Spice level", 1, 1, []option{{"Mild", 0}, {"Medium", 0}, {"Hot", 0}}}
	extras   = group{"Extras", 0, 3, []option{{"Quail eggs", 6000}, {"Kazy (horse sausage)", 18000}, {"Extra meat", 20000}, {"Raisins and chickpeas", 4000}}}
	bread    = group{"Bread", 0, 2, []option{{"Non (flatbread)", 5000}, {"Patyr", 9000}}}
	sauces   = group{"Sauces", 0, 2, []option{{"Garlic", 3000}, {"Chili", 3000}, {"Cheese", 5000}, {"BBQ", 3000}}}
	toppings = group{"Toppings", 0, 4, []option{{"Mozzarella", 12000}, {"Mushrooms", 8000}, {"Olives", 8000}, {"Jalapeno", 6000}, {"Pepperoni", 14000}}}
	crust    = group{"Crust", 1, 1, []option{{"Thin", 0}, {"Classic", 0}, {"Cheese-stuffed", 20000}}}
	drinkSz  = group{"Size", 1, 1, []option{{"0.33 l", 0}, {"0.5 l", 4000}, {"1 l", 10000}}}
	milk     = group{"Milk", 1, 1, []option{{"Whole", 0}, {"Oat", 6000}, {"Almond", 7000}}}
	sides    = group{"Side", 1, 1, []option{{"Fries", 0}, {"Salad", 0}, {"Rice", 0}}}
	wasabi   = group{"Add", 0, 2, []option{{"Extra wasabi", 2000}, {"Extra ginger", 2000}, {"Spicy mayo", 4000}}}
	noodles  = group{"Noodles", 1, 1, []option{{"Wheat", 0}, {"Rice", 0}, {"Udon", 8000}}}
	doneness = group{"Doneness", 1, 1, []option{{"Medium rare", 0}, {"Medium", 0}, {"Well done", 0}}}
)

var drinks = category{"Drinks", []dish{
	{"Green tea", "Pot of Uzbek green tea.", 8000, []string{"vegan"}, nil},
	{"Compote", "House fruit compote.", 12000, []string{"vegan"}, []group{drinkSz}},
	{"Ayran", "Cold salted yoghurt drink.", 10000, []string{"vegetarian"}, []group{drinkSz}},
	{"Lemonade", "Tarragon or pear lemonade.", 15000, []string{"vegan"}, []group{drinkSz}},
}}

var cuisines = []cuisine{
	{
		tags: []string{"uzbek", "central asian"}, adjective: "Family-run Uzbek", priceLevel: 1,
		prefixes: []string{"Osh", "Plov", "Caravan", "Samarkand", "Bukhara", "Chorsu", "Navruz"},
		suffixes: []string{"Markazi", "House", "Choyxona", "Sarai", "Garden"},
		blurb:    "Plov from the kazan every lunchtime, somsa from the tandoor.",
		categories: []category{
			{"Plov", []dish{
				{"Tashkent plov", "Rice, lamb, yellow and red carrots, quail egg.", 45000, []string{"signature"}, []group{portion, extras, bread}},
				{"Samarkand plov", "Layered, not stirred; with chickpeas.", 48000, nil, []group{portion, extras, bread}},
				{"Wedding plov", "With raisins and kazy.", 55000, []string{"spicy"}, []group{portion, bread}},
			}},
			{"Soups", []dish{
				{"Shurpa", "Lamb broth with vegetables.", 32000, nil, []group{size, bread}},
				{"Mastava", "Rice soup with katyk.", 28000, nil, []group{size, bread}},
				{"Lagman soup", "Hand-pulled noodles in broth.", 35000, []string{"spicy"}, []group{size, spice}},
			}},
			{"Tandoor", []dish{
				{"Somsa with lamb", "Tandoor pastry.", 9000, nil, []group{sauces}},
				{"Pumpkin somsa", "Seasonal.", 8000, []string{"vegetarian"}, []group{sauces}},
				{"Shashlik lamb", "Three skewers over coals.", 42000, nil, []group{bread, sauces}},
				{"Shashlik chicken", "Three skewers.", 33000, nil, []group{bread, sauces}},
			}},
			{"Salads", []dish{
				{"Achichuk", "Tomato, onion, pepper.", 14000, []string{"vegan"}, nil},
				{"Toshkent salad", "Radish, beef, egg.", 26000, nil, nil},
			}},
			drinks,
		},
	},
	{
		tags: []string{"italian", "pizza"}, adjective: "Wood-fired Italian", priceLevel: 2,
		prefixes: []string{"Trattoria", "Pizzeria", "Osteria", "Forno"},
		suffixes: []string{"Roma", "Napoli", "Bella", "da Marco", "Verde"},
		blurb:    "Dough rested 48 hours, a 450 degree oven.",
		categories: []category{
			{"Pizza", []dish{
				{"Margherita", "Tomato, mozzarella, basil.", 65000, []string{"vegetarian"}, []group{size, crust, toppings}},
				{"Pepperoni", "Spicy salami, mozzarella.", 82000, []string{"spicy"}, []group{size, crust, toppings}},
				{"Quattro formaggi", "Four cheeses.", 90000, []string{"vegetarian"}, []group{size, crust}},
				{"Funghi", "Mushrooms, truffle oil.", 85000, []string{"vegetarian"}, []group{size, crust, toppings}},
			}},
			{"Pasta", []dish{
				{"Carbonara", "Guanciale, egg, pecorino.", 72000, nil, []group{size}},
				{"Arrabbiata", "Tomato and chili.", 58000, []string{"vegan", "spicy"}, []group{size}},
				{"Lasagna", "Beef ragu, bechamel.", 78000, nil, nil},
			}},
			{"Desserts", []dish{
				{"Tiramisu", "Mascarpone, espresso.", 38000, []string{"vegetarian"}, nil},
				{"Panna cotta", "Berry coulis.", 32000, []string{"vegetarian", "gluten-free"}, nil},
			}},
			drinks,
		},
	},
	{
		tags: []string{"japanese", "sushi"}, adjective: "Japanese", priceLevel: 3,
		prefixes: []string{"Sakura", "Tokyo", "Umami", "Kyoto", "Hanami"},
		suffixes: []string{"Sushi", "Bar", "Izakaya", "Ramen"},
		blurb:    "Rolls, ramen and a robata grill.",
		categories: []category{
			{"Rolls", []dish{
				{"Philadelphia roll", "Salmon, cream cheese.", 95000, []string{"signature"}, []group{wasabi}},
				{"California roll", "Crab, avocado, tobiko.", 85000, nil, []group{wasabi}},
				{"Avocado maki", "Avocado and cucumber.", 45000, []string{"vegan"}, []group{wasabi}},
				{"Dragon roll", "Eel, avocado, unagi sauce.", 120000, nil, []group{wasabi}},
			}},
			{"Ramen", []dish{
				{"Tonkotsu ramen", "Pork broth, chashu, egg.", 78000, nil, []group{noodles, spice}},
				{"Miso ramen", "Miso broth, corn, butter.", 72000, nil, []group{noodles, spice}},
				{"Vegetable ramen", "Shiitake broth.", 62000, []string{"vegan"}, []group{noodles, spice}},
			}},
			{"Small plates", []dish{
				{"Edamame", "Sea salt.", 25000, []string{"vegan", "gluten-free"}, nil},
				{"Gyoza", "Pork and cabbage, six pieces.", 38000, nil, []group{sauces}},
			}},
			drinks,
		},
	},
	{
		tags: []string{"burgers", "american"}, adjective: "Smash-burger", priceLevel: 2,
		prefixes: []string{"Black Star", "Bun", "Grill", "Smash", "Patty"},
		suffixes: []string{"Burgers", "Bros", "Joint", "Shack"},
		blurb:    "Fresh beef, potato buns, hand-cut fries.",
		categories: []category{
			{"Burgers", []dish{
				{"Classic burger", "Beef, cheddar, pickles.", 48000, nil, []group{doneness, sides, sauces}},
				{"Double cheeseburger", "Two patties, two cheeses.", 65000, []string{"signature"}, []group{doneness, sides, sauces}},
				{"Chicken burger", "Crispy thigh, slaw.", 45000, nil, []group{sides, sauces}},
				{"Veggie burger", "Bean patty, avocado.", 44000, []string{"vegetarian"}, []group{sides, sauces}},
			}},
			{"Sides", []dish{
				{"Fries", "Hand-cut.", 18000, []string{"vegan"}, []group{size, sauces}},
				{"Onion rings", "Beer batter.", 22000, []string{"vegetarian"}, []group{sauces}},
				{"Chicken wings", "Eight wings.", 42000, []string{"spicy"}, []group{spice, sauces}},
			}},
			{"Shakes", []dish{
				{"Vanilla shake", "Soft serve.", 28000, []string{"vegetarian"}, []group{drinkSz}},
				{"Chocolate shake", "Belgian chocolate.", 30000, []string{"vegetarian"}, []group{drinkSz}},
			}},
			drinks,
		},
	},
	{
		tags: []string{"korean"}, adjective: "Korean home-style", priceLevel: 2,
		prefixes: []string{"Seoul", "Kimchi", "Hanok", "Bibim"},
		suffixes: []string{"Kitchen", "Table", "Pocha", "House"},
		blurb:    "Koryo-saram favourites and Seoul street food.",
		categories: []category{
			{"Mains", []dish{
				{"Bibimbap", "Rice, vegetables, egg, gochujang.", 52000, nil, []group{spice}},
				{"Bulgogi", "Marinated beef, rice.", 68000, []string{"signature"}, []group{spice, size}},
				{"Kuksi", "Cold noodle soup.", 42000, []string{"spicy"}, []group{size}},
				{"Tteokbokki", "Rice cakes in chili sauce.", 38000, []string{"spicy", "vegetarian"}, []group{spice}},
			}},
			{"Fried chicken", []dish{
				{"Yangnyeom chicken", "Sweet-spicy glaze.", 75000, []string{"spicy"}, []group{portion, sauces}},
				{"Soy-garlic chicken", "Twice fried.", 75000, nil, []group{portion, sauces}},
			}},
			{"Banchan", []dish{
				{"Kimchi", "House-fermented.", 15000, []string{"vegan", "spicy"}, nil},
				{"Morkovcha", "Korean carrot salad.", 12000, []string{"vegan"}, nil},
			}},
			drinks,
		},
	},
	{
		tags: []string{"coffee", "desserts", "breakfast"}, adjective: "Neighbourhood coffee", priceLevel: 2,
		prefixes: []string{"Brew", "Bean", "Morning", "Crumb", "Latte"},
		suffixes: []string{"Lab", "Corner", "Bakery", "& Co"},
		blurb:    "Specialty coffee, breakfasts all day, cakes.",
		categories: []category{
			{"Coffee", []dish{
				{"Espresso", "Double shot.", 18000, []string{"vegan"}, nil},
				{"Cappuccino", "Double shot, steamed milk.", 28000, []string{"vegetarian"}, []group{size, milk}},
				{"Flat white", "Ristretto, silky milk.", 30000, []string{"vegetarian"}, []group{milk}},
				{"Iced latte", "Over ice.", 32000, []string{"vegetarian"}, []group{size, milk}},
			}},
			{"Breakfast", []dish{
				{"Syrniki", "Cottage cheese pancakes, sour cream.", 38000, []string{"vegetarian"}, nil},
				{"Avocado toast", "Sourdough, poached egg.", 45000, []string{"vegetarian"}, []group{extras}},
				{"Shakshuka", "Eggs in spiced tomato.", 42000, []string{"vegetarian", "spicy"}, []group{bread}},
			}},
			{"Cakes", []dish{
				{"Medovik", "Honey cake.", 30000, []string{"vegetarian"}, nil},
				{"Napoleon", "Custard mille-feuille.", 30000, []string{"vegetarian"}, nil},
				{"Cheesecake", "New York style.", 36000, []string{"vegetarian"}, nil},
			}},
		},
	},
	{
		tags: []string{"turkish", "kebab"}, adjective: "Turkish grill", priceLevel: 1,
		prefixes: []string{"Istanbul", "Anatolia", "Sultan", "Efes"},
		suffixes: []string{"Kebab", "Doner", "Grill", "Lokanta"},
		blurb:    "Doner off the spit, pide from the oven.",
		categories: []category{
			{"Doner", []dish{
				{"Chicken doner", "Lavash, pickles, garlic sauce.", 32000, nil, []group{size, sauces, spice}},
				{"Beef doner", "Lavash, tomatoes.", 38000, nil, []group{size, sauces, spice}},
				{"Iskender", "Doner over bread, tomato butter, yoghurt.", 62000, []string{"signature"}, nil},
			}},
			{"Pide and lahmacun", []dish{
				{"Kiymali pide", "Minced beef.", 48000, nil, []group{extras}},
				{"Lahmacun", "Thin, spicy.", 22000, []string{"spicy"}, nil},
			}},
			{"Sweets", []dish{
				{"Baklava", "Pistachio, four pieces.", 34000, []string{"vegetarian"}, nil},
				{"Kunefe", "Hot, with cheese.", 40000, []string{"vegetarian"}, nil},
			}},
			drinks,
		},
	},
	{
		tags: []string{"georgian"}, adjective: "Georgian supra", priceLevel: 3,
		prefixes: []string{"Tbilisi", "Khinkali", "Mimino", "Kartuli"},
		suffixes: []string{"House", "Sakhli", "Cellar"},
		blurb:    "Khachapuri from the oven, khinkali by the dozen.",
		categories: []category{
			{"Khinkali", []dish{
				{"Khinkali with beef and pork", "Five pieces.", 35000, []string{"signature"}, []group{spice}},
				{"Khinkali with mushrooms", "Five pieces.", 32000, []string{"vegetarian"}, nil},
			}},
			{"Khachapuri", []dish{
				{"Adjarian khachapuri", "Boat, egg, butter.", 58000, []string{"vegetarian"}, []group{size}},
				{"Imeretian khachapuri", "Round, cheese inside.", 52000, []string{"vegetarian"}, nil},
			}},
			{"Mains", []dish{
				{"Chakapuli", "Lamb with tarragon.", 78000, nil, []group{bread}},
				{"Mtsvadi", "Pork skewers.", 72000, nil, []group{bread, sauces}},
				{"Lobio", "Bean stew.", 36000, []string{"vegan"}, []group{bread}},
			}},
			drinks,
		},
	},
}

var streets = []string{
	"Amir Temur", "Navoi", "Shota Rustaveli", "Mustaqillik", "Buyuk Ipak Yoli", "Afrosiyob", "Mirobod",
	"Bobur", "Nukus", "Taras Shevchenko", "Yunusobod", "Chilonzor", "Labzak", "Beruniy", "Farobiy",
	"Mukimiy", "Sebzor", "Oybek", "Kichik Halqa Yoli", "Lutfiy",
}
