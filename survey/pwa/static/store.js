// IndexedDB: the only place records live on the phone. "kv" holds the token and cached
// server data; "records" holds every household (draft, waiting, sent, rejected, conflict)
// keyed by its client_uuid. Records are never deleted before the server acknowledged them.
const DB_NAME = "bmn-collect";
let dbPromise;

function open() {
  dbPromise ??= new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => {
      req.result.createObjectStore("kv");
      req.result.createObjectStore("records", { keyPath: "client_uuid" });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  return dbPromise;
}

async function run(store, mode, fn) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, mode);
    const req = fn(tx.objectStore(store));
    tx.oncomplete = () => resolve(req?.result);
    tx.onerror = () => reject(tx.error);
  });
}

export const kvGet = (key) => run("kv", "readonly", (s) => s.get(key));
export const kvSet = (key, value) => run("kv", "readwrite", (s) => s.put(value, key));
export const kvDelete = (key) => run("kv", "readwrite", (s) => s.delete(key));
export const getRecord = (uuid) => run("records", "readonly", (s) => s.get(uuid));
export const putRecord = (record) => run("records", "readwrite", (s) => s.put(record));
export const allRecords = () => run("records", "readonly", (s) => s.getAll());
export const deleteRecord = (uuid) => run("records", "readwrite", (s) => s.delete(uuid));
