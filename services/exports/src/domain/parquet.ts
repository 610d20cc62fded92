import { type ColumnType, type ExportEntityName, exportEntities } from "@pencai/contracts/exports";
import type { BasicType, ColumnSource, Writer } from "hyparquet-writer";
import { ParquetWriter, schemaFromColumnData } from "hyparquet-writer";
import type { Values } from "./rows.js";

// Rows to Parquet (SNAPPY) with hyparquet-writer, one row group at a time: the caller streams
// rows in, at most `ROW_GROUP_ROWS` of them are held, and each full group is encoded and handed
// to the writer (which may flush it to a file). Column names and types come from the one
// column table (`exportEntities`).

/** Rows per row group: bounds memory (a group of the widest entity is a few MB). */
export const ROW_GROUP_ROWS = 10_000;

const parquetTypes: Record<ColumnType, BasicType> = {
  string: "STRING",
  bigint: "INT64",
  double: "DOUBLE",
  boolean: "BOOLEAN",
  timestamp: "TIMESTAMP",
};

/** A column's value as the Parquet writer takes it (null when absent). */
export function cell(type: ColumnType, v: Values[string]): unknown {
  if (v === undefined || v === null) return null;
  switch (type) {
    case "string":
      return String(v);
    case "bigint":
      return BigInt(Math.trunc(Number(v)));
    case "double":
      return Number(v);
    case "boolean":
      return v === true || v === "true";
    case "timestamp":
      return new Date(String(v));
  }
}

/** Writes one entity's rows to a Parquet file, a row group at a time. */
export class EntityParquetWriter {
  private readonly columns: readonly { name: string; type: ColumnType }[];
  private readonly writer: ParquetWriter;
  private buffer: Values[] = [];
  rows = 0;

  constructor(
    readonly entity: ExportEntityName,
    out: Writer,
    private readonly rowGroupRows = ROW_GROUP_ROWS,
  ) {
    this.columns = exportEntities[entity].columns;
    const schema = schemaFromColumnData({
      columnData: this.columns.map((c) => ({
        name: c.name,
        data: [],
        type: parquetTypes[c.type],
        nullable: true,
      })),
    });
    this.writer = new ParquetWriter({
      writer: out,
      schema,
      codec: "SNAPPY",
      kvMetadata: [{ key: "pencai.entity", value: entity }],
      createdBy: "pencai exports (hyparquet-writer)",
    });
  }

  async add(row: Values): Promise<void> {
    this.buffer.push(row);
    this.rows++;
    if (this.buffer.length >= this.rowGroupRows) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const rows = this.buffer;
    this.buffer = [];
    const columnData: ColumnSource[] = this.columns.map((c) => ({
      name: c.name,
      data: rows.map((r) => cell(c.type, r[c.name])) as ColumnSource["data"],
    }));
    await this.writer.write({ columnData, rowGroupSize: rows.length });
  }

  /** Writes the last row group and the footer. */
  async finish(): Promise<void> {
    await this.flush();
    this.writer.finish();
  }
}
