"""The search cache's backend (coderef.caches.ObjectCache): values as they were set."""

import threading
import time

from coderef.caches import ObjectCache


def make(location: str, **options: int) -> ObjectCache:
    return ObjectCache(location, {"OPTIONS": options})


def test_a_value_is_kept_as_itself_until_its_timeout():
    cache = make("test-itself")
    value = {"hits": [1, 2, 3]}
    cache.set("result", value, timeout=60)
    assert cache.get("result") is value
    assert not cache.add("result", "other")
    cache.set("soon", "gone", timeout=0.05)
    time.sleep(0.1)
    assert cache.get("soon", "missing") == "missing"
    assert cache.add("soon", "again")
    assert cache.touch("soon", 60) and cache.get("soon") == "again"
    assert cache.delete("soon") and not cache.delete("soon")


def test_the_least_recently_used_goes_first_past_max_entries():
    cache = make("test-lru", MAX_ENTRIES=2)
    cache.set("a", 1)
    cache.set("b", 2)
    assert cache.get("a") == 1  # `b` is now the least recently used
    cache.set("c", 3)
    assert [cache.get(key) for key in "abc"] == [1, None, 3]


def test_the_threads_of_a_process_share_one_store_per_location():
    make("test-shared").clear()
    thread = threading.Thread(target=lambda: make("test-shared").set("from", "thread"))
    thread.start()
    thread.join()
    assert make("test-shared").get("from") == "thread"
    assert make("test-other").get("from") is None
    make("test-shared").clear()
    assert make("test-shared").get("from") is None
