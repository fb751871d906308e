// Command restaurants runs the restaurants subgraph, or seeds a demo city.
//
//	restaurants serve [-config restaurants.yaml]
//	restaurants seed  [-config restaurants.yaml] [-seed 1] [-restaurants 300]
//	                  [-lat 41.3111 -lng 69.2797] [-radius-km 8] [-zone Asia/Tashkent]
//	                  [-currency UZS] [-city Tashkent]
//
// seed is deterministic for a seed and idempotent: running it again creates nothing. It
// prints how many restaurants it created and its throughput (restaurants/s). serve seeds
// the default city first when seed_demo_city (DIZHTIME_RESTAURANTS_SEED_DEMO_CITY) is set.
//
// Its commands and flags live in package command (shared with the laptop launcher dizhtime).
package main

import "github.com/dizhtime/dizhtime/subgraphs/restaurants/command"

func main() { command.Main() }
