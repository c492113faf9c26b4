//! A bounded look at a legacy `.xls` workbook (BIFF8 inside a compound file) before calamine
//! parses it (issue #15). calamine reads an `.xls` whole: it reserves every sheet's cells by the
//! `DIMENSIONS` record and builds a dense range over the bounding box of the cells present, so a
//! 10 KB file with one cell at `IV65536` costs a gigabyte. This walks the compound file's sector
//! chains (each step checked, loops refused) to the `Workbook` stream and its records, and
//! refuses the file when a sheet's declared dimension or the extent of its cells passes
//! [`crate::workbook::Limits::dense_cells`], when it holds more cell records than that, or when
//! it is encrypted. Nothing is kept but the stream itself (at most the file's size).

use parindex_core::unit::RowError;

use crate::workbook::{Limits, bad_workbook, too_large};

const FREE: u32 = 0xFFFF_FFFF;
const END_OF_CHAIN: u32 = 0xFFFF_FFFE;

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// The compound file's `Workbook` (or `Book`) stream, read through its sector chain.
fn workbook_stream(bytes: &[u8]) -> Result<Vec<u8>, &'static str> {
    if bytes.len() < 512 || bytes[..8] != [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] {
        return Err("not a compound file");
    }
    let shift = u16_at(bytes, 0x1E).ok_or("header")? as u32;
    if !(7..=16).contains(&shift) {
        return Err("sector size");
    }
    let sector_size = 1usize << shift;
    let mini_shift = u16_at(bytes, 0x20).ok_or("header")? as u32;
    if mini_shift >= shift {
        return Err("mini sector size");
    }
    let sectors = bytes.len() / sector_size; // sectors that can exist (the header is sector -1)
    let sector = |n: u32| -> Option<&[u8]> {
        let start = (n as usize).checked_add(1)?.checked_mul(sector_size)?;
        bytes.get(start..start.checked_add(sector_size)?)
    };
    // the FAT: sector numbers from the header's DIFAT, then the DIFAT chain
    let fat_sectors = u32_at(bytes, 0x2C).ok_or("header")? as usize;
    if fat_sectors > sectors {
        return Err("FAT larger than the file");
    }
    let mut fat_ids: Vec<u32> = (0..109).filter_map(|i| u32_at(bytes, 0x4C + 4 * i)).filter(|&s| s != FREE).collect();
    let mut difat = u32_at(bytes, 0x44).ok_or("header")?;
    let mut steps = 0;
    while difat != END_OF_CHAIN && difat != FREE && fat_ids.len() < fat_sectors {
        steps += 1;
        if steps > sectors {
            return Err("DIFAT loop");
        }
        let s = sector(difat).ok_or("DIFAT sector outside the file")?;
        let per = sector_size / 4 - 1;
        fat_ids.extend((0..per).filter_map(|i| u32_at(s, 4 * i)).filter(|&s| s != FREE));
        difat = u32_at(s, 4 * per).ok_or("DIFAT")?;
    }
    fat_ids.truncate(fat_sectors);
    let mut fat: Vec<u32> = Vec::with_capacity(fat_ids.len() * sector_size / 4);
    for id in fat_ids {
        let s = sector(id).ok_or("FAT sector outside the file")?;
        fat.extend((0..sector_size / 4).filter_map(|i| u32_at(s, 4 * i)));
    }
    let chain = |first: u32, limit: usize| -> Result<Vec<u8>, &'static str> {
        let mut out = Vec::new();
        let mut n = first;
        let mut steps = 0;
        while n != END_OF_CHAIN {
            steps += 1;
            if steps > sectors {
                return Err("sector chain loop");
            }
            out.extend_from_slice(sector(n).ok_or("sector outside the file")?);
            if out.len() >= limit {
                break;
            }
            n = *fat.get(n as usize).ok_or("sector chain")?;
        }
        out.truncate(limit);
        Ok(out)
    };
    let dir = chain(u32_at(bytes, 0x30).ok_or("header")?, bytes.len())?;
    let cutoff = u32_at(bytes, 0x38).ok_or("header")? as usize;
    let mut root: Option<(u32, usize)> = None;
    let mut found: Option<(u32, usize)> = None;
    for e in dir.chunks_exact(128) {
        let len = (u16_at(e, 64).unwrap_or(0) as usize).min(64);
        let name: Vec<u16> = e[..len].chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).take_while(|&c| c != 0).collect();
        let name = String::from_utf16_lossy(&name);
        let start = u32_at(e, 116).unwrap_or(END_OF_CHAIN);
        let size = u32_at(e, 120).unwrap_or(0) as usize;
        match e[66] {
            5 => root = Some((start, size)),
            2 if (name == "Workbook" || name == "Book") && found.is_none() => found = Some((start, size)),
            _ => {}
        }
    }
    let (start, size) = found.ok_or("no Workbook stream")?;
    if size > bytes.len() {
        return Err("stream larger than the file");
    }
    if size >= cutoff {
        return chain(start, size);
    }
    // a small stream lives in the mini stream (the root's chain), in mini sectors
    let (root_start, root_size) = root.ok_or("no root entry")?;
    let mini = chain(root_start, root_size.min(bytes.len()))?;
    let mini_fat = chain(u32_at(bytes, 0x3C).ok_or("header")?, bytes.len())?;
    let mini_size = 1usize << mini_shift;
    let mut out = Vec::new();
    let mut n = start;
    let mut steps = 0;
    while n != END_OF_CHAIN && out.len() < size {
        steps += 1;
        if steps > mini.len() / mini_size + 1 {
            return Err("mini chain loop");
        }
        let at = n as usize * mini_size;
        out.extend_from_slice(mini.get(at..at + mini_size).ok_or("mini sector outside the stream")?);
        n = u32_at(&mini_fat, 4 * n as usize).ok_or("mini FAT")?;
    }
    out.truncate(size);
    Ok(out)
}

/// Refuse an `.xls` whose sheets would be built too large; see the module header.
pub fn check_xls(file_name: &str, bytes: &[u8], lim: &Limits) -> Result<(), Vec<RowError>> {
    let stream = workbook_stream(bytes).map_err(|e| bad_workbook(file_name, e))?;
    let mut at = 0usize;
    let mut sheet = 0usize; // substreams after the workbook globals
    let (mut cells, mut bounds): (u64, Option<(u32, u32, u32, u32)>) = (0, None);
    let refuse_extent = |sheet: usize, area: u64, what: &str| -> Result<(), Vec<RowError>> {
        if area > lim.dense_cells {
            return Err(too_large(
                file_name,
                format!(
                    "trang thứ {sheet} {what} {area} ô (tối đa {}); hãy mở bằng Excel, xoá các ô thừa và lưu lại dạng .xlsx",
                    lim.dense_cells
                ),
                format!(
                    "sheet {sheet} {what_en} {area} cells (at most {}); open it in Excel, delete the stray cells and save it as .xlsx",
                    lim.dense_cells,
                    what_en = if what.starts_with("khai") { "declares" } else { "spans" }
                ),
            ));
        }
        Ok(())
    };
    while at + 4 <= stream.len() {
        let typ = u16_at(&stream, at).unwrap_or(0);
        let len = u16_at(&stream, at + 2).unwrap_or(0) as usize;
        let data = stream.get(at + 4..at + 4 + len).unwrap_or(&[]);
        at += 4 + len;
        let pos = |d: &[u8]| Some((u16_at(d, 0)? as u32, u16_at(d, 2)? as u32));
        let mut cell = |r: u32, c: u32| {
            cells += 1;
            bounds = Some(match bounds {
                None => (r, r, c, c),
                Some((r0, r1, c0, c1)) => (r0.min(r), r1.max(r), c0.min(c), c1.max(c)),
            });
        };
        match typ {
            0x002F => return Err(bad_workbook(file_name, "encrypted workbook")),
            0x0809 => {
                if let Some((r0, r1, c0, c1)) = bounds.take() {
                    refuse_extent(sheet, (r1 - r0 + 1) as u64 * (c1 - c0 + 1) as u64, "trải trên")?;
                }
                sheet += 1;
            }
            0x0200 => {
                // DIMENSIONS, as calamine reads it (rows last-exclusive, columns clamped)
                let (rf, rl, mut cf, cl) = match len {
                    10 => (
                        u16_at(data, 0).unwrap_or(0) as i64,
                        u16_at(data, 2).unwrap_or(0) as i64,
                        u16_at(data, 4).unwrap_or(0) as i64,
                        u16_at(data, 6).unwrap_or(0) as i64,
                    ),
                    14 | 16 => (
                        u32_at(data, 0).unwrap_or(0) as i64,
                        u32_at(data, 4).unwrap_or(0) as i64,
                        u16_at(data, 8).unwrap_or(0) as i64,
                        u16_at(data, 10).unwrap_or(0) as i64,
                    ),
                    _ => continue,
                };
                if cf > 0xFF || cl < cf {
                    cf = 0;
                }
                if rl >= 1 && cl >= 1 {
                    let (rows, cols) = (rl - 1 - rf + 1, cl - 1 - cf + 1);
                    if rows <= 0 || cols <= 0 {
                        return Err(bad_workbook(file_name, format!("sheet {sheet}: malformed DIMENSIONS record")));
                    }
                    refuse_extent(sheet, rows as u64 * cols as u64, "khai báo")?;
                }
            }
            0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006 | 0x0201 => {
                if let Some((r, c)) = pos(data) {
                    cell(r, c);
                }
            }
            0x00BD | 0x00BE => {
                // MULRK / MULBLANK: row, first column, …, last column
                if let (Some((r, c)), Some(last)) = (pos(data), data.len().checked_sub(2).and_then(|i| u16_at(data, i))) {
                    cell(r, c);
                    cell(r, last as u32);
                    cells += (last as u64).saturating_sub(c as u64);
                }
            }
            _ => {}
        }
        if cells > lim.dense_cells {
            return Err(too_large(file_name, format!("hơn {} ô", lim.dense_cells), format!("more than {} cells", lim.dense_cells)));
        }
    }
    if let Some((r0, r1, c0, c1)) = bounds {
        refuse_extent(sheet, (r1 - r0 + 1) as u64 * (c1 - c0 + 1) as u64, "trải trên")?;
    }
    Ok(())
}
