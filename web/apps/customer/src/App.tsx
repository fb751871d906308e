import { useState } from 'react';
import { auth } from './env';
import { go, useConnectivity, useRoute, useSession } from './hooks';
import { emptyCart, cartCount, type Cart } from './cart';
import { SignIn } from './SignIn';
import { Search } from './Search';
import { RestaurantPage } from './Restaurant';
import { CartPage } from './CartPage';
import { OrderPage } from './OrderPage';
import { OrdersPage, WalletPage } from './History';

export function App() {
  const session = useSession();
  const route = useRoute();
  const conn = useConnectivity();
  const [cart, setCart] = useState<Cart>(emptyCart);

  let page;
  if (!session) page = <SignIn />;
  else if (route[0] === 'r' && route[1]) page = <RestaurantPage id={route[1]} cart={cart} setCart={setCart} />;
  else if (route[0] === 'cart') page = <CartPage cart={cart} setCart={setCart} />;
  else if (route[0] === 'orders' && route[1]) page = <OrderPage id={route[1]} />;
  else if (route[0] === 'orders') page = <OrdersPage />;
  else if (route[0] === 'wallet') page = <WalletPage />;
  else page = <Search />;

  return (
    <>
      <header className="bar">
        <a href="#/" className="brand">DizhTime</a>
        {session && (
          <nav aria-label="Main">
            <a href="#/">Search</a>
            <a href="#/cart">Cart ({cartCount(cart)})</a>
            <a href="#/orders">Orders</a>
            <a href="#/wallet">Wallet</a>
            <button type="button" className="link" onClick={() => void auth.logout().then(() => go(''))}>
              Sign out
            </button>
          </nav>
        )}
      </header>
      {session && conn !== 'online' && (
        <div role="status" className={`banner ${conn}`} data-testid="connectivity">
          {conn === 'offline' ? 'You are offline: live updates resume when the connection is back.' : 'Connecting to live updates…'}
        </div>
      )}
      <main>{page}</main>
    </>
  );
}
