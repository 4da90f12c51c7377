"""SAT catalogs the fiscal data uses (CFDI 4.0): régimen fiscal (c_RegimenFiscal) and uso de
CFDI (c_UsoCFDI), as (code, description) choices. Descriptions are the SAT's, in Spanish, the
language the codes are published in."""

from __future__ import annotations

REGIMEN_FISCAL: list[tuple[str, str]] = [
    ("601", "601 General de Ley Personas Morales"),
    ("603", "603 Personas Morales con Fines no Lucrativos"),
    ("605", "605 Sueldos y Salarios e Ingresos Asimilados a Salarios"),
    ("606", "606 Arrendamiento"),
    ("607", "607 Régimen de Enajenación o Adquisición de Bienes"),
    ("608", "608 Demás ingresos"),
    ("610", "610 Residentes en el Extranjero sin Establecimiento Permanente en México"),
    ("611", "611 Ingresos por Dividendos (socios y accionistas)"),
    ("612", "612 Personas Físicas con Actividades Empresariales y Profesionales"),
    ("614", "614 Ingresos por intereses"),
    ("615", "615 Régimen de los ingresos por obtención de premios"),
    ("616", "616 Sin obligaciones fiscales"),
    ("620", "620 Sociedades Cooperativas de Producción que optan por diferir sus ingresos"),
    ("621", "621 Incorporación Fiscal"),
    ("622", "622 Actividades Agrícolas, Ganaderas, Silvícolas y Pesqueras"),
    ("623", "623 Opcional para Grupos de Sociedades"),
    ("624", "624 Coordinados"),
    ("625", "625 Régimen de las Actividades Empresariales con ingresos a través de Plataformas Tecnológicas"),
    ("626", "626 Régimen Simplificado de Confianza"),
]

USO_CFDI: list[tuple[str, str]] = [
    ("G01", "G01 Adquisición de mercancías"),
    ("G02", "G02 Devoluciones, descuentos o bonificaciones"),
    ("G03", "G03 Gastos en general"),
    ("I01", "I01 Construcciones"),
    ("I02", "I02 Mobiliario y equipo de oficina por inversiones"),
    ("I03", "I03 Equipo de transporte"),
    ("I04", "I04 Equipo de cómputo y accesorios"),
    ("I05", "I05 Dados, troqueles, moldes, matrices y herramental"),
    ("I06", "I06 Comunicaciones telefónicas"),
    ("I07", "I07 Comunicaciones satelitales"),
    ("I08", "I08 Otra maquinaria y equipo"),
    ("D01", "D01 Honorarios médicos, dentales y gastos hospitalarios"),
    ("D02", "D02 Gastos médicos por incapacidad o discapacidad"),
    ("D03", "D03 Gastos funerales"),
    ("D04", "D04 Donativos"),
    ("D05", "D05 Intereses reales efectivamente pagados por créditos hipotecarios (casa habitación)"),
    ("D06", "D06 Aportaciones voluntarias al SAR"),
    ("D07", "D07 Primas por seguros de gastos médicos"),
    ("D08", "D08 Gastos de transportación escolar obligatoria"),
    ("D09", "D09 Depósitos en cuentas para el ahorro, primas que tengan como base planes de pensiones"),
    ("D10", "D10 Pagos por servicios educativos (colegiaturas)"),
    ("S01", "S01 Sin efectos fiscales"),
    ("CP01", "CP01 Pagos"),
    ("CN01", "CN01 Nómina"),
]
