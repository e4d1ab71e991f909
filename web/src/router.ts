/** Hash routing (`/#/sessions`): the page is the part of the hash before any `?`. */
import { useEffect, useState } from 'react';

export function useHashRoute(): string {
  const read = () => (location.hash.replace(/^#/, '').split('?')[0] || '/');
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const onChange = () => setRoute(read());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
